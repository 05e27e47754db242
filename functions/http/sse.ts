/** Server-Sent Events on a Lambda response stream: each event is written (and flushed) as it happens. */
import { config } from '../platform/config';

/** The pipeline's events (docs/converse.md#the-stream). */
export type TurnEvent = 'session' | 'chunk' | 'trace' | 'tool' | 'tool_request' | 'verification' | 'retry' | 'done' | 'error';

export interface EventSink {
  /** False once the client went away; writes are then dropped, the turn still completes. */
  readonly open: boolean;
  send(event: TurnEvent, data: unknown): void;
  end(): void;
}

/** How events become bytes: our SSE contract (sseFrame) or a client protocol's encoder (./protocols). */
export type FrameEncoder = (event: TurnEvent, data: unknown) => string;

export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An SSE comment: ignored by every SSE parser, but traffic for proxies and API Gateway's idle timeout. */
export const HEARTBEAT_FRAME = ': ping\n\n';

/** Silence after which a heartbeat is sent: below the 15 s proxies commonly allow (HEARTBEAT_MS). */
export const heartbeatMs = () => config().HEARTBEAT_MS;

export interface WritableLike {
  write(chunk: string): unknown;
  end(): unknown;
  on?(event: 'close' | 'error', listener: () => void): unknown;
  writableEnded?: boolean;
  destroyed?: boolean;
}

/** The sink of one response; `heartbeat` ms of silence (no event written) sends a heartbeat comment. */
export function sseSink(stream: WritableLike, opts: { heartbeatMs?: number; frame?: FrameEncoder } = {}): EventSink {
  let open = true;
  const frame = opts.frame ?? sseFrame;
  const every = opts.heartbeatMs ?? heartbeatMs();
  let timer: NodeJS.Timeout | undefined;
  const isOpen = () => open && !stream.destroyed && !stream.writableEnded;
  const arm = () => {
    clearTimeout(timer);
    if (every > 0 && isOpen()) {
      timer = setTimeout(() => {
        if (isOpen()) stream.write(HEARTBEAT_FRAME);
        arm();
      }, every);
    }
  };
  const close = () => {
    open = false;
    clearTimeout(timer);
  };
  stream.on?.('close', close);
  stream.on?.('error', close);
  arm();
  return {
    get open() {
      return isOpen();
    },
    send(event, data) {
      if (!isOpen()) return;
      const bytes = frame(event, data);
      if (!bytes) return;
      stream.write(bytes);
      arm();
    },
    end() {
      close();
      if (!stream.writableEnded) stream.end();
    },
  };
}
