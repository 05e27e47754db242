/** What the two AgentCore adapters share (./agentcore-harness.ts, ./agentcore-runtime.ts): session ids, baggage, abortable streams. */
export { DEFAULT_PROVIDER_IDLE_SECONDS, providerSessionId } from './provider-session';

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
