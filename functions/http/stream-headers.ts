/** The headers of a streamed answer's prelude (./handler.ts), declared by the OpenAPI document (./openapi.ts). */
export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' } as const;
