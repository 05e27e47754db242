/** Raw HTTP to the client-protocol routes (/converse/ai-sdk, /converse/ag-ui), for the matrix and the fuzzing. */

/** A UI message as useChat sends it. */
export const uiUserMessage = (id: string, text: string) => ({ id, role: 'user' as const, parts: [{ type: 'text' as const, text }] });

/** The AI SDK chat request DefaultChatTransport builds for one new message. */
export const aiSdkBody = (chatId: string, chatAppId: string, text: string, messageId = `m-${Math.random().toString(36).slice(2)}`) => ({
  chatAppId,
  id: chatId,
  messages: [uiUserMessage(messageId, text)],
  trigger: 'submit-message',
});

/** The RunAgentInput HttpAgent builds for one new message. */
export const agUiBody = (threadId: string, chatAppId: string, text: string, messageId = `m-${Math.random().toString(36).slice(2)}`) => ({
  threadId,
  runId: `run-${Math.random().toString(36).slice(2)}`,
  state: {},
  messages: [{ id: messageId, role: 'user', content: text }],
  tools: [],
  context: [],
  forwardedProps: { chatAppId },
});

export const PROTOCOL_PATHS = { converseAiSdk: '/converse/ai-sdk', converseAgUi: '/converse/ag-ui' } as const;

/**
 * Posts to a protocol route: a refusal's JSON error, or the stream's `data:` frames parsed (`[DONE]` kept as
 * the string) with the response headers.
 */
export async function postProtocol(url: string, path: string, token: string | undefined, body: unknown, init: { signal?: AbortSignal } = {}) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const text = await res.text();
    let error: any;
    try {
      error = JSON.parse(text);
    } catch {
      error = text;
    }
    return { status: res.status, headers: res.headers, frames: [] as any[], error, text };
  }
  const text = await res.text();
  const frames = text
    .split('\n\n')
    .flatMap((block) => block.split('\n').filter((l) => l.startsWith('data: ')))
    .map((l) => l.slice(6))
    .map((d) => (d === '[DONE]' ? d : JSON.parse(d)));
  return { status: res.status, headers: res.headers, frames, error: undefined as any, text };
}
