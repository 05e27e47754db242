/** The client-protocol routes are advertised in the OpenAPI document (issue 26 item 5). */
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../functions/http/openapi';

const doc = buildOpenApi() as { paths: Record<string, Record<string, any>> };

describe.each([
  ['/converse/ai-sdk', 'converseAiSdk', 'ai-sdk-ui-message-stream/v1'],
  ['/converse/ag-ui', 'converseAgUi', 'ag-ui/1.0'],
])('POST %s', (path, operationId, protocol) => {
  const op = doc.paths[path]!.post;

  it(`carries x-protocol ${protocol} on its operation, its request schema and its response header`, () => {
    expect(op.operationId).toBe(operationId);
    expect(op['x-protocol']).toBe(protocol);
    expect(op.requestBody.content['application/json'].schema['x-protocol']).toBe(protocol);
    const ok = op.responses['200'];
    expect(ok.headers['x-protocol'].schema.const).toBe(protocol);
    expect(Object.keys(ok.content)).toEqual(['text/event-stream']);
  });

  it('declares the refusals of the converse turn, before the stream starts', () => {
    expect(Object.keys(op.responses).map(Number)).toEqual(expect.arrayContaining([400, 401, 403, 404, 409, 422, 429]));
  });
});

it('the AI SDK route declares the header its transport looks for, and our SSE route no protocol', () => {
  expect(doc.paths['/converse/ai-sdk']!.post.responses['200'].headers['x-vercel-ai-ui-message-stream'].schema.const).toBe('v1');
  expect(doc.paths['/converse']!.post['x-protocol']).toBeUndefined();
});
