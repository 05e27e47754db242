/** Provider inputs and what a provider yields, for the tests that call the AgentCore adapters directly. */
import { encodeSessionAttributes } from 'pika-shared/util/bedrock';
import type { ProviderEvent, ProviderInput } from '../../functions/converse/providers/events';

let n = 0;

/** A turn's provider input; each call a new provider session (session ids start with `prefix`, 14 characters). */
export function providerInput(prefix: string, inputText: string, extra: Partial<ProviderInput> = {}): ProviderInput {
  const sessionId = extra.sessionId ?? `${prefix}${String(++n).padStart(12, '0')}`;
  return {
    sessionId,
    userId: 'user-1',
    inputText,
    sessionAttributes: encodeSessionAttributes({ userId: 'user-1', sessionId, chatAppId: 'app', agentId: 'agent', tier: 'gold', limits: { daily: 5 } }),
    signal: new AbortController().signal,
    ...extra,
  };
}

/** Everything a provider yields, its text, how many chunks, and the error it ended with (if any). */
export async function collect(gen: AsyncGenerator<ProviderEvent>) {
  const events: ProviderEvent[] = [];
  let error: unknown;
  try {
    for await (const e of gen) events.push(e);
  } catch (err) {
    error = err;
  }
  const chunks = events.flatMap((e) => (e.type === 'chunk' ? [e.text] : []));
  return { events, text: chunks.join(''), chunks: chunks.length, error };
}
