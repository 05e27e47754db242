/**
 * The Bedrock AgentCore client (the container's, functions/lib/clients.ts). BEDROCK_AGENTCORE_ENDPOINT points it at the local
 * emulator (like BEDROCK_AGENT_ENDPOINT in ../bedrock.ts); unset, it talks to AgentCore.
 */
import { createHash } from 'node:crypto';
import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { defineClient } from '../../lib/clients';

export const agentCoreClient = defineClient('agentCore', {
  key: (c) => c.BEDROCK_AGENTCORE_ENDPOINT,
  create: (c) => new BedrockAgentCoreClient({ ...(c.BEDROCK_AGENTCORE_ENDPOINT ? { endpoint: c.BEDROCK_AGENTCORE_ENDPOINT } : {}), maxAttempts: 2 }),
});

/**
 * The AgentCore session id of a chat session: deterministic (every turn of a chat session reaches the same
 * provider session), 39–98 characters (the service wants at least 33), readable, collision-free:
 * `pika-<chat session id, characters other than letters, digits, _ and - as _, at most 60>-<32 hex of its SHA-256>`.
 */
export function providerSessionId(chatSessionId: string): string {
  const readable = chatSessionId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60) || 'session';
  return `pika-${readable}-${createHash('sha256').update(chatSessionId).digest('hex').slice(0, 32)}`;
}

/** AgentCore's default idle timeout of a runtime session (`idleRuntimeSessionTimeout`), in seconds. */
export const DEFAULT_PROVIDER_IDLE_SECONDS = 900;

/**
 * True when the provider session of a chat session may have idled out (its last activity is older than the
 * idle timeout, or unknown): then send the chat history with the turn, since the agent may remember nothing.
 */
export function providerSessionMayBeGone(lastActivity: string | Date | undefined, idleSeconds = DEFAULT_PROVIDER_IDLE_SECONDS, now = Date.now()): boolean {
  if (!lastActivity) return true;
  const at = new Date(lastActivity).getTime();
  return !Number.isFinite(at) || now - at >= idleSeconds * 1000;
}

/** W3C `baggage` with the chat's ids (`pika.userId=…,pika.sessionId=…,pika.chatAppId=…,pika.agentId=…`), values percent-encoded. */
export function baggageFor(attributes: Record<string, string>): string | undefined {
  const entries = (['userId', 'sessionId', 'chatAppId', 'agentId'] as const).flatMap((k) =>
    attributes[k] ? [`pika.${k}=${encodeURIComponent(attributes[k])}`] : [],
  );
  return entries.length ? entries.join(',') : undefined;
}

const abortError = (signal: AbortSignal) => {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('The request was aborted');
  err.name = 'AbortError';
  return err;
};

/**
 * Iterates `iterable` until `signal` aborts; then throws an AbortError at once, even while the next item is
 * still pending (a provider that says nothing must not hold the turn), and `onAbort` releases the connection.
 */
export async function* abortable<T>(iterable: AsyncIterable<T>, signal: AbortSignal, onAbort?: () => void): AsyncGenerator<T> {
  const it = iterable[Symbol.asyncIterator]();
  let listener: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    listener = () => {
      onAbort?.();
      reject(abortError(signal));
    };
    if (signal.aborted) listener();
    else signal.addEventListener('abort', listener, { once: true });
  });
  aborted.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const r = await Promise.race([it.next(), aborted]);
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
    }
  } finally {
    signal.removeEventListener('abort', listener);
    // Not awaited: after an abort the pending next() may never settle.
    if (!finished) void Promise.resolve(it.return?.()).catch(() => undefined);
  }
}
