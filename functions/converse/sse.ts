/** Server-Sent Events on a Lambda response stream: each event is written (and flushed) as it happens. */
export interface EventSink {
  /** False once the client went away; writes are then dropped, the turn still completes. */
  readonly open: boolean;
  send(event: 'session' | 'chunk' | 'trace' | 'done' | 'error', data: unknown): void;
  end(): void;
}

export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export interface WritableLike {
  write(chunk: string): unknown;
  end(): unknown;
  on?(event: 'close' | 'error', listener: () => void): unknown;
  writableEnded?: boolean;
  destroyed?: boolean;
}

export function sseSink(stream: WritableLike): EventSink {
  let open = true;
  stream.on?.('close', () => (open = false));
  stream.on?.('error', () => (open = false));
  return {
    get open() {
      return open && !stream.destroyed && !stream.writableEnded;
    },
    send(event, data) {
      if (this.open) stream.write(sseFrame(event, data));
    },
    end() {
      if (!stream.writableEnded) stream.end();
      open = false;
    },
  };
}
