/**
 * A code-defined agent on AgentCore Runtime as provider events: `InvokeAgentRuntime` with the real client,
 * the payload of `pika-shared/util/agentcore` (`{ prompt, sessionAttributes, history?, files? }`), and the
 * agent's response body read by its content type:
 * - `text/event-stream`: `data:` events (`{"type":"text"}` → chunk, `{"type":"usage"}` → usage,
 *   `{"type":"error"}` / `{"error"}` → AgentRuntimeError thrown after the chunks before it; JSON strings and
 *   non-JSON data are text; other JSON objects are ignored);
 * - `application/json`: one answer (`{ text, usage? }`, `{ result }` or a string);
 * - anything else: plain text deltas.
 * Bytes are decoded as a stream, so a character split across network chunks is never corrupted.
 */
import { InvokeAgentRuntimeCommand, ResourceNotFoundException, StopRuntimeSessionCommand } from '@aws-sdk/client-bedrock-agentcore';
import type { AgentCoreRuntimeRef } from 'pika-shared/types/chatbot/agentcore-types';
import { createSseParser, encodeAgentRuntimePayload, parseAgentRuntimeJsonAnswer, parseAgentRuntimeSseData } from 'pika-shared/util/agentcore';
import { agentCoreClient } from '../../models/agentcore';
import { abortable, baggageFor, providerSessionId } from './agentcore';
import type { ProviderInput, ProviderEvent } from './events';
import { utf8Stream } from './utf8';

/** The agent reported a failure in its answer (an SSE error event). */
export class AgentRuntimeError extends Error {
  override readonly name = 'AgentRuntimeError';
  constructor(
    message: string,
    readonly errorType?: string,
  ) {
    super(message);
  }
}

export const RUNTIME_ACCEPT = 'text/event-stream, application/json;q=0.9, text/plain;q=0.8';

/** InvokeAgentRuntime for one turn (whatever the runtime's protocol): its content type (lower case) and its body, aborted with the turn. */
export async function sendToRuntime(agent: AgentCoreRuntimeRef, input: ProviderInput, accept: string, payload: string) {
  const baggage = baggageFor(input.sessionAttributes);
  const out = await agentCoreClient().send(
    new InvokeAgentRuntimeCommand({
      agentRuntimeArn: agent.agentRuntimeArn,
      ...(agent.qualifier ? { qualifier: agent.qualifier } : {}),
      runtimeSessionId: providerSessionId(input.sessionId),
      runtimeUserId: input.userId,
      ...(baggage ? { baggage } : {}),
      ...(input.traceParent ? { traceParent: input.traceParent } : {}),
      contentType: 'application/json',
      accept,
      payload: new TextEncoder().encode(payload),
    }),
    { abortSignal: input.signal },
  );
  const body = out.response as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  return {
    contentType: (out.contentType ?? '').toLowerCase(),
    chunks: body ? abortable(body, input.signal, () => body.destroy?.()) : undefined,
  };
}

export async function* invokeAgentRuntime(agent: AgentCoreRuntimeRef, input: ProviderInput): AsyncGenerator<ProviderEvent> {
  const payload = encodeAgentRuntimePayload({
    prompt: input.inputText,
    sessionAttributes: input.sessionAttributes,
    ...(input.history?.length ? { history: input.history } : {}),
    ...(input.files?.length ? { files: input.files.map(({ useCase: _classicOnly, ...file }) => file) } : {}),
    ...(input.memory?.length ? { memory: input.memory } : {}),
  });
  const { contentType, chunks } = await sendToRuntime(agent, input, RUNTIME_ACCEPT, payload);
  if (!chunks) return;
  const text = utf8Stream();

  if (contentType.startsWith('text/event-stream')) {
    const sse = createSseParser();
    function* events(datas: string[]): Generator<ProviderEvent> {
      for (const data of datas) {
        const e = parseAgentRuntimeSseData(data);
        if (e.type === 'text' && e.text) yield { type: 'chunk', text: e.text };
        else if (e.type === 'usage') yield { type: 'usage', inputTokens: e.inputTokens, outputTokens: e.outputTokens };
        else if (e.type === 'error') throw new AgentRuntimeError(e.message, e.errorType);
      }
    }
    for await (const bytes of chunks) yield* events(sse.push(text.write(bytes)));
    yield* events([...sse.push(text.end()), ...sse.end()]);
    return;
  }

  if (contentType.startsWith('application/json')) {
    let all = '';
    for await (const bytes of chunks) all += text.write(bytes);
    all += text.end();
    let value: unknown = all;
    try {
      value = JSON.parse(all);
    } catch {
      /* not JSON after all: the text as it is */
    }
    const answer = parseAgentRuntimeJsonAnswer(value);
    if (answer.text) yield { type: 'chunk', text: answer.text };
    if (answer.usage) yield { type: 'usage', ...answer.usage };
    return;
  }

  for await (const bytes of chunks) {
    const t = text.write(bytes);
    if (t) yield { type: 'chunk', text: t };
  }
  const rest = text.end();
  if (rest) yield { type: 'chunk', text: rest };
}

/**
 * Stops the chat session's runtime session (its running answers end, what it remembered is gone). False when
 * there was no such session.
 */
export async function stopRuntimeSession(agent: AgentCoreRuntimeRef, chatSessionId: string, opts: { signal?: AbortSignal } = {}): Promise<boolean> {
  try {
    await agentCoreClient().send(
      new StopRuntimeSessionCommand({
        agentRuntimeArn: agent.agentRuntimeArn,
        runtimeSessionId: providerSessionId(chatSessionId),
        ...(agent.qualifier ? { qualifier: agent.qualifier } : {}),
      }),
      opts.signal ? { abortSignal: opts.signal } : {},
    );
    return true;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return false;
    throw err;
  }
}
