/**
 * Files that reach the agent (issue 14), over HTTP through the local server, the local S3 (s3rver behind the
 * POST-policy front) and the agent emulator: announce, upload as a browser does (multipart form POST to the
 * presigned URL), converse with the file for every agent kind, download, delete with the session — and every
 * refusal: wrong type, too large, an upload that breaks the policy, forged or foreign ids.
 */
import { parseAttachedFilesBlock } from 'pika-shared/util/agentcore';
import { describe, expect, it } from 'vitest';
import { GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { filesBucket, headObject, s3Client } from '../../functions/files/storage';
import { filesAnswer } from '../../scripts/agent-emulator/files';
import { captureLogs } from '../support/output';
import { expectErrorShape, ROLES, token, uid } from '../api/harness';
import { announce, browserUpload, uploadFile } from '../api/files-harness';
import { converse, textOf, useConverse, AGENT_KINDS, KIND_OPERATION, TEST_PRICING } from './harness';

const { api, emulator } = useConverse();
const PRICING = TEST_PRICING;

/** A chat app on the emulator's `echo-files` agent of `kind`, with `fileUpload` settings when given. */
async function appFor(kind: string, fileUpload?: Record<string, unknown>) {
  const admin = await token(uid('site'), [ROLES.siteAdmin]);
  const agentId = uid(`${kind}-files`);
  const chatAppId = uid('app');
  expect(
    (await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent: AGENT_KINDS[kind]!('echo-files'), pricing: PRICING } })).status,
  ).toBe(200);
  const features = fileUpload ? { fileUpload: { featureId: 'fileUpload', ...fileUpload } } : undefined;
  const put = await api.call('PUT', `/admin/chat-apps/${chatAppId}`, {
    token: admin,
    body: { title: kind, enabled: true, agentId, ...(features ? { features } : {}) },
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  return chatAppId;
}

async function sessionIn(t: string, chatAppId: string): Promise<string> {
  const r = await api.call('POST', '/sessions', { token: t, body: { chatAppId } });
  expect(r.status).toBe(201);
  return r.body.sessionId;
}

const stateTag = async (key: string) =>
  (await s3Client().send(new GetObjectTaggingCommand({ Bucket: filesBucket(), Key: key }))).TagSet?.find((t) => t.Key === 'pika-file')?.Value;
const messagesOf = async (t: string, sessionId: string) =>
  (await api.call('GET', `/sessions/${sessionId}/messages?limit=100`, { token: t })).body.items as any[];
const lastRequestOf = (kind: string) =>
  emulator()
    .requests()
    .filter((r) => r.operation === KIND_OPERATION[kind])
    .at(-1)!;

describe('announcing a file (POST /sessions/{sessionId}/files)', () => {
  it('gives a record under the owner\u2019s prefix and a presigned POST that pins key, type and size', async () => {
    const user = uid('u');
    const t = await token(user);
    const sessionId = await sessionIn(t, 'demo');
    const r = await announce(api, t, sessionId, { fileName: 'report.pdf', mimeType: 'application/pdf', size: 1234 });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const { file, upload } = r.body;
    expect(file).toMatchObject({ fileName: 'report.pdf', mimeType: 'application/pdf', size: 1234 });
    expect(file.s3Key).toBe(`files/${encodeURIComponent(user)}/${sessionId}/${file.fileId}`);
    expect(upload.fields.key).toBe(file.s3Key);
    expect(upload.fields['Content-Type']).toBe('application/pdf');
    const policy = JSON.parse(Buffer.from(upload.fields.Policy!, 'base64').toString('utf8'));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['eq', '$Content-Type', 'application/pdf'],
        ['content-length-range', 1, 1234],
        { key: file.s3Key },
        ['eq', '$tagging', upload.fields.tagging],
      ]),
    );
  });

  it('refuses a type the chat app does not accept (400 naming the rule) and a size over its limit (413)', async () => {
    const t = await token(uid('u'));
    const sessionId = await sessionIn(t, 'demo');
    const wrongType = await announce(api, t, sessionId, { fileName: 'a.exe', mimeType: 'application/x-msdownload', size: 10 });
    expectErrorShape(wrongType, 400, 'VALIDATION_FAILED');
    expect(wrongType.body.error.message).toContain('application/x-msdownload');
    expect(JSON.stringify(wrongType.body.error.details)).toContain('allowed types: application/pdf');
    const tooLarge = await announce(api, t, sessionId, { fileName: 'big.pdf', mimeType: 'application/pdf', size: 10 * 1024 * 1024 + 1 });
    expectErrorShape(tooLarge, 413, 'PAYLOAD_TOO_LARGE');
    expect(tooLarge.body.error.details).toEqual({ maxSizeBytes: 10 * 1024 * 1024, size: 10 * 1024 * 1024 + 1 });
    expect((await messagesOf(t, sessionId)).length).toBe(0);
  });

  it('follows the chat app\u2019s fileUpload settings (types, size limit, off)', async () => {
    const t = await token(uid('u'));
    const custom = await sessionIn(t, await appFor('classic', { enabled: true, allowedMimeTypes: ['text/plain'], maxSizeBytes: 100 }));
    expect((await announce(api, t, custom, { fileName: 'a.txt', mimeType: 'text/plain', size: 100 })).status).toBe(201);
    expectErrorShape(await announce(api, t, custom, { fileName: 'a.pdf', mimeType: 'application/pdf', size: 10 }), 400, 'VALIDATION_FAILED');
    expectErrorShape(await announce(api, t, custom, { fileName: 'a.txt', mimeType: 'text/plain', size: 101 }), 413, 'PAYLOAD_TOO_LARGE');
    const off = await sessionIn(t, await appFor('classic', { enabled: false }));
    expectErrorShape(await announce(api, t, off, { fileName: 'a.txt', mimeType: 'text/plain', size: 1 }), 403, 'FORBIDDEN');
  });

  it('a malformed fileUpload feature is refused when the chat app is stored (400 naming the field)', async () => {
    const admin = await token(uid('site'), [ROLES.siteAdmin]);
    const r = await api.call('PUT', `/admin/chat-apps/${uid('app')}`, {
      token: admin,
      body: {
        title: 'x',
        enabled: true,
        agentId: 'echo',
        features: { fileUpload: { featureId: 'fileUpload', enabled: true, maxSizeBytes: -1, allowedMimeTypes: ['PDF'] } },
      },
    });
    expectErrorShape(r, 400, 'VALIDATION_FAILED');
    expect(r.body.error.details.map((d: any) => d.path).sort()).toEqual([
      'body.features.fileUpload.allowedMimeTypes.0',
      'body.features.fileUpload.maxSizeBytes',
    ]);
  });

  it('is the owner\u2019s alone: another user and a content admin get 404', async () => {
    const t = await token(uid('u'));
    const sessionId = await sessionIn(t, 'demo');
    const body = { fileName: 'a.txt', mimeType: 'text/plain', size: 1 };
    expectErrorShape(await announce(api, await token(uid('other')), sessionId, body), 404, 'NOT_FOUND');
    expectErrorShape(await announce(api, await token(uid('cadmin'), [ROLES.contentAdmin]), sessionId, body), 404, 'NOT_FOUND');
  });
});

describe('the browser upload (multipart POST to the presigned URL)', () => {
  it('stores exactly the announced file; S3 refuses one bigger than declared, another type or another key', async () => {
    const t = await token(uid('u'));
    const sessionId = await sessionIn(t, 'demo');
    const a = (await announce(api, t, sessionId, { fileName: 'notes.txt', mimeType: 'text/plain', size: 5 })).body;
    const tooBig = await browserUpload(a.upload, 'hello world', 'text/plain');
    expect(tooBig.status).toBe(400);
    expect(tooBig.text).toContain('EntityTooLarge');
    const otherType = await browserUpload(a.upload, 'hello', 'text/plain', { 'Content-Type': 'text/html' });
    expect(otherType.status).toBe(403);
    const otherKey = await browserUpload(a.upload, 'hello', 'text/plain', { key: `files/someone-else/${sessionId}/x` });
    expect(otherKey.status).toBe(403);
    const untagged = await browserUpload(a.upload, 'hello', 'text/plain', { tagging: '<Tagging><TagSet></TagSet></Tagging>' });
    expect(untagged.status).toBe(403);
    expect(await headObject(a.file.s3Key)).toBeUndefined();
    expect((await browserUpload(a.upload, 'hello', 'text/plain')).status).toBe(204);
    expect(await headObject(a.file.s3Key)).toEqual({ size: 5, contentType: 'text/plain' });
  });
});

describe.each(Object.keys(AGENT_KINDS))('a file reaches %s agents', (kind) => {
  it('natively; the stored user message carries the server\u2019s record, not the client\u2019s fields', async () => {
    const t = await token(uid('u'));
    const chatAppId = await appFor(kind);
    const sessionId = await sessionIn(t, chatAppId);
    const file = await uploadFile(api, t, sessionId, 'quarterly.csv', 'text/csv', 'a,b\n1,2\n');
    // The client lies about everything but fileId and s3Key: the server's record wins.
    const sent = { ...file, fileName: 'forged.exe', mimeType: 'application/x-msdownload', size: 1 };
    const r = await converse(api.url, t, { sessionId, message: 'Summarise this', files: [sent] });
    expect(r.events.at(-1)?.event, JSON.stringify(r.error ?? r.events.at(-1))).toBe('done');
    expect(textOf(r.events)).toBe(filesAnswer('Summarise this', ['quarterly.csv']));

    const req = lastRequestOf(kind);
    const uri = `s3://pika-files-local/${file.s3Key}`;
    if (kind === 'classic' || kind === 'inline') {
      const state = kind === 'classic' ? req.body.sessionState : req.body.inlineSessionState;
      expect(state.files).toEqual([{ name: 'quarterly.csv', source: { sourceType: 'S3', s3Location: { uri } }, useCase: 'CHAT' }]);
    } else {
      const files = kind === 'runtime' ? req.body.files : req.body.messages.at(-1).content.flatMap((c: any) => parseAttachedFilesBlock(c.text ?? ''));
      expect(files).toEqual([expect.objectContaining({ ...file, s3Uri: uri, url: expect.stringMatching(/^http/), urlExpiresAt: expect.any(String) })]);
      // The short-lived link reads the file without credentials.
      const got = await fetch(files[0].url);
      expect(got.status).toBe(200);
      expect(await got.text()).toBe('a,b\n1,2\n');
    }
    const stored = await messagesOf(t, sessionId);
    expect(stored[0].files).toEqual([file]);
  });
});

describe('lifecycle state', () => {
  it('an upload is tagged pending (the bucket expires those) until a message uses it: then attached', async () => {
    const t = await token(uid('u'));
    const sessionId = await sessionIn(t, await appFor('classic'));
    const used = await uploadFile(api, t, sessionId, 'used.txt', 'text/plain', 'used');
    const unused = await uploadFile(api, t, sessionId, 'unused.txt', 'text/plain', 'unused');
    expect(await stateTag(used.s3Key)).toBe('pending');
    expect((await converse(api.url, t, { sessionId, message: 'read it', files: [used] })).events.at(-1)?.event).toBe('done');
    expect(await stateTag(used.s3Key)).toBe('attached');
    expect(await stateTag(unused.s3Key)).toBe('pending');
    // Used again: still attached, and the turn goes on.
    expect((await converse(api.url, t, { sessionId, message: 'again', files: [used] })).events.at(-1)?.event).toBe('done');
    expect(await stateTag(used.s3Key)).toBe('attached');
  });
});

describe('converse refuses files it cannot vouch for, before storing anything', () => {
  async function world() {
    const user = uid('u');
    const t = await token(user);
    const chatAppId = await appFor('classic');
    const sessionId = await sessionIn(t, chatAppId);
    const file = await uploadFile(api, t, sessionId, 'mine.txt', 'text/plain', 'mine');
    return { t, chatAppId, sessionId, file };
  }

  it('an unknown fileId, another user\u2019s file, a file of another session: 404', async () => {
    const { t, chatAppId, sessionId, file } = await world();
    const other = await world();
    const ownOtherSession = await uploadFile(api, t, await sessionIn(t, chatAppId), 'elsewhere.txt', 'text/plain', 'x');
    for (const bad of [{ ...file, fileId: 'no-such-file' }, other.file, { ...other.file, s3Key: other.file.s3Key }, ownOtherSession]) {
      const r = await converse(api.url, t, { sessionId, message: 'hi', files: [bad] });
      expect(r.status, JSON.stringify(bad)).toBe(404);
      expect(r.error.error.code).toBe('NOT_FOUND');
    }
    expect(await messagesOf(t, sessionId)).toEqual([]);
  });

  it('a forged s3Key, a file never uploaded, one uploaded smaller than announced, files without a session: 400', async () => {
    const { t, chatAppId, sessionId, file } = await world();
    const other = await world();
    const notUploaded = (await announce(api, t, sessionId, { fileName: 'later.txt', mimeType: 'text/plain', size: 4 })).body;
    const short = (await announce(api, t, sessionId, { fileName: 'short.txt', mimeType: 'text/plain', size: 10 })).body;
    expect((await browserUpload(short.upload, 'abc', 'text/plain')).status).toBe(204);
    const cases: [string, unknown][] = [
      ['forged s3Key', { sessionId, message: 'hi', files: [{ ...file, s3Key: other.file.s3Key }] }],
      ['not uploaded', { sessionId, message: 'hi', files: [notUploaded.file] }],
      ['smaller than announced', { sessionId, message: 'hi', files: [short.file] }],
      ['twice', { sessionId, message: 'hi', files: [file, file] }],
      ['no session', { chatAppId, message: 'hi', files: [file] }],
    ];
    for (const [name, body] of cases) {
      const r = await converse(api.url, t, body);
      expect(r.status, name).toBe(400);
      expect(r.error.error.code, name).toBe('VALIDATION_FAILED');
    }
    expect(await messagesOf(t, sessionId)).toEqual([]);
  });

  it('the use case follows the chat app (CODE_INTERPRETER)', async () => {
    const t = await token(uid('u'));
    const sessionId = await sessionIn(t, await appFor('inline', { enabled: true, useCase: 'CODE_INTERPRETER' }));
    const file = await uploadFile(api, t, sessionId, 'data.csv', 'text/csv', '1,2');
    const r = await converse(api.url, t, { sessionId, message: 'plot', files: [file] });
    expect(r.events.at(-1)?.event).toBe('done');
    expect(lastRequestOf('inline').body.inlineSessionState.files[0].useCase).toBe('CODE_INTERPRETER');
  });
});

describe('downloading and deleting', () => {
  it('GET /sessions/{id}/files/{fileId}: a short-lived link for the owner and content admins (logged), 404 for others', async () => {
    const t = await token(uid('u'));
    const sessionId = await sessionIn(t, 'demo');
    const file = await uploadFile(api, t, sessionId, 'r\u00e9sum\u00e9.pdf', 'application/pdf', '%PDF-1.4 test');
    const own = await api.call('GET', `/sessions/${sessionId}/files/${file.fileId}`, { token: t });
    expect(own.status).toBe(200);
    expect(own.body.file).toEqual(file);
    const got = await fetch(own.body.url);
    expect(await got.text()).toBe('%PDF-1.4 test');
    expect(got.headers.get('content-disposition')).toContain(encodeURIComponent('r\u00e9sum\u00e9.pdf'));
    const admin = await token(uid('cadmin'), [ROLES.contentAdmin]);
    const lines = await captureLogs(async () =>
      expect((await api.call('GET', `/sessions/${sessionId}/files/${file.fileId}`, { token: admin })).status).toBe(200),
    );
    expect(lines.join('\n')).toContain('viewingContentFor');
    expectErrorShape(await api.call('GET', `/sessions/${sessionId}/files/${file.fileId}`, { token: await token(uid('other')) }), 404, 'NOT_FOUND');
    expectErrorShape(await api.call('GET', `/sessions/${sessionId}/files/nope`, { token: t }), 404, 'NOT_FOUND');
    const pending = (await announce(api, t, sessionId, { fileName: 'p.txt', mimeType: 'text/plain', size: 1 })).body;
    expectErrorShape(await api.call('GET', `/sessions/${sessionId}/files/${pending.file.fileId}`, { token: t }), 404, 'NOT_FOUND');
  });

  it('deleting a session deletes its files\u2019 objects and records', async () => {
    const t = await token(uid('u'));
    const sessionId = await sessionIn(t, 'demo');
    const a = await uploadFile(api, t, sessionId, 'a.txt', 'text/plain', 'aaa');
    const b = await uploadFile(api, t, sessionId, 'b.png', 'image/png', new Uint8Array([137, 80, 78, 71]));
    expect(await headObject(a.s3Key)).toBeDefined();
    expect((await api.call('DELETE', `/sessions/${sessionId}`, { token: t })).status).toBe(202);
    expect(await headObject(a.s3Key)).toBeUndefined();
    expect(await headObject(b.s3Key)).toBeUndefined();
    expectErrorShape(await api.call('GET', `/sessions/${sessionId}/files/${a.fileId}`, { token: t }), 404, 'NOT_FOUND');
  });
});
