/**
 * Text decoded as a stream: a multi-byte UTF-8 character split across provider chunks is held back until its
 * last byte arrives, never turned into U+FFFD.
 *
 * The classic path has this bug today: bedrock.ts decodes each `chunk.bytes` on its own
 * (`Buffer.from(event.chunk.bytes).toString('utf8')`). The fix for the integrator, in `invokeAgent`:
 *   const text = utf8Stream();
 *   … if (event.chunk?.bytes) { const t = text.write(event.chunk.bytes); if (t) yield { type: 'chunk', text: t }; }
 *   … after the loop: const rest = text.end(); if (rest) yield { type: 'chunk', text: rest };
 */
export interface Utf8Stream {
  /** The text complete so far ('' when the bytes end inside a character). */
  write(bytes: Uint8Array): string;
  /** Whatever is left (a truncated character becomes U+FFFD). */
  end(): string;
}

export function utf8Stream(): Utf8Stream {
  const decoder = new TextDecoder('utf-8');
  return { write: (bytes) => decoder.decode(bytes, { stream: true }), end: () => decoder.decode() };
}
