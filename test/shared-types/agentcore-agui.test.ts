/** pika-shared/util/agentcore reads what an AG-UI runtime (server protocol AGUI) receives: a RunAgentInput (issue 26 item 7). */
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import { describe, expect, it } from 'vitest';
import { parseAgentRuntimePayload, sessionContextBlock } from 'pika-shared/util/agentcore';
import { AG_UI_SESSION_CONTEXT, isRunAgentInput } from 'pika-shared/util/agentcore-agui';
import { encodeSessionAttributes, normalizeSessionAttributes } from 'pika-shared/util/bedrock';
import { runAgentInput } from '../../functions/converse/providers/agentcore-agui';

const data = { userId: 'user-1', sessionId: 'session-1', chatAppId: 'support', agentId: 'agent-1', tier: 'gold', prefs: { lang: 'en' } };
const sessionAttributes = encodeSessionAttributes(data);
const file = {
  fileId: 'f1',
  fileName: 'a.pdf',
  mimeType: 'application/pdf',
  size: 3,
  s3Key: 'k/a.pdf',
  uploadDate: '2026-01-01T00:00:00Z',
  s3Uri: 's3://b/k/a.pdf',
};

describe('parseAgentRuntimePayload with an AG-UI RunAgentInput', () => {
  it('reads what the relay sends: prompt, history, session data, files and memory — the same as from the HTTP payload', () => {
    const input = runAgentInput(
      {
        sessionId: 'chat-1',
        userId: 'user-1',
        inputText: 'Where is my order?',
        sessionAttributes,
        history: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
        ],
        files: [{ ...file, useCase: 'CHAT' } as never],
        memory: ['Prefers email'],
        signal: new AbortController().signal,
      },
      'run-1',
    );
    // It is a valid RunAgentInput for AG-UI's own schema.
    expect(RunAgentInputSchema.safeParse(input).success).toBe(true);
    expect(isRunAgentInput(input)).toBe(true);
    const parsed = parseAgentRuntimePayload(JSON.stringify(input));
    expect(parsed).toEqual({
      prompt: 'Where is my order?',
      session: normalizeSessionAttributes(sessionAttributes),
      sessionAttributes,
      history: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ],
      files: [file],
      memory: ['Prefers email'],
    });
    expect(parsed.session).toMatchObject(data);
  });

  it('without forwardedProps: the session data of the session context entry; the last user message is the prompt, text parts joined', () => {
    const parsed = parseAgentRuntimePayload({
      threadId: 't',
      runId: 'r',
      messages: [
        { id: '1', role: 'user', content: 'first' },
        { id: '2', role: 'assistant', content: 'answer' },
        {
          id: '3',
          role: 'user',
          content: [
            { type: 'text', text: 'second ' },
            { type: 'binary', mimeType: 'image/png', data: 'AA==' },
            { type: 'text', text: 'part' },
          ],
        },
      ],
      tools: [],
      context: [{ description: AG_UI_SESSION_CONTEXT, value: sessionContextBlock(sessionAttributes) }],
    });
    expect(parsed.prompt).toBe('second part');
    expect(parsed.history).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'answer' },
    ]);
    expect(parsed.session).toMatchObject(data);
    expect(parsed.sessionAttributes).toEqual({});
  });

  it('is lenient like the HTTP payload: no user message, foreign roles, bad props and no context give empty fields', () => {
    const parsed = parseAgentRuntimePayload({
      threadId: 't',
      messages: [{ id: '1', role: 'system', content: 'be nice' }, 'junk'],
      forwardedProps: { sessionAttributes: { userId: 'u', count: 3 }, files: [{ fileId: 1 }], memory: ['m', 2] },
      context: [{ description: 'something else', value: sessionContextBlock(sessionAttributes) }],
    });
    expect(parsed.prompt).toBe('');
    expect(parsed.history).toEqual([]);
    expect(parsed.sessionAttributes).toEqual({ userId: 'u' });
    expect(parsed.session.userId).toBe('u');
    expect(parsed.files).toEqual([]);
    expect(parsed.memory).toEqual(['m']);
    // An HTTP payload that happens to have no threadId is still read as one.
    expect(parseAgentRuntimePayload({ prompt: 'p', messages: [], sessionAttributes }).prompt).toBe('p');
  });
});
