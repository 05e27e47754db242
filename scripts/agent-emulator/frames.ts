/** AWS event-stream frames as Bedrock Agent Runtime sends them (the SDK's own codec encodes them). */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

const str = (value: string) => ({ type: 'string' as const, value });

/** `:message-type: event` with a JSON payload, e.g. `chunk` {bytes} or `trace` {trace, ...}. */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: { ':message-type': str('event'), ':event-type': str(eventType), ':content-type': str('application/json') },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** `:message-type: exception`: the SDK throws the modeled error (e.g. internalServerException) mid-stream. */
export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: { ':message-type': str('exception'), ':exception-type': str(exceptionType), ':content-type': str('application/json') },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

export const chunkFrame = (text: string) => eventFrame('chunk', { bytes: Buffer.from(text, 'utf8').toString('base64') });
