/**
 * POST /converse with Lambda response streaming (API Gateway REST, responseTransferMode STREAM): refusals
 * before the answer starts are plain JSON errors with their status; then Server-Sent Events.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { prepareTurn } from '../converse/prepare';
import { replayTurn, runTurn } from '../converse/run';
import { sseSink, type WritableLike } from '../converse/sse';
import { httpErrorOf } from '../http/errors';
import { corsHeadersFor } from '../http/cors';
import { errorSummary, matchRoute, resolveRequest } from '../http/handler';
import { logger } from '../http/logger';
import { header } from '../http/request';
import { ROUTES } from '../http/routes';

interface ResponseStream extends WritableLike {
  setContentType?(type: string): void;
}
interface Awslambda {
  streamifyResponse(fn: (event: APIGatewayProxyEvent, stream: ResponseStream, context: Context) => Promise<void>): unknown;
  HttpResponseStream: { from(stream: ResponseStream, prelude: { statusCode: number; headers?: Record<string, string> }): ResponseStream };
}
/** Provided by the Lambda Node.js runtime (and by scripts/local/streaming.ts locally). */
declare const awslambda: Awslambda;

const routes = ROUTES.filter((r) => r.group === 'converse');

async function converse(event: APIGatewayProxyEvent, responseStream: ResponseStream, context: Context): Promise<void> {
  const started = performance.now();
  const deadlineMs = Date.now() + context.getRemainingTimeInMillis();
  const cors = corsHeadersFor(event);
  let prepared: Awaited<ReturnType<typeof prepareTurn>>;
  try {
    const route = matchRoute(routes, event);
    const ctx = await resolveRequest(route, event);
    prepared = await prepareTurn(ctx.principal, ctx.body, header(event, 'idempotency-key'), { deadlineMs });
  } catch (err) {
    const answer = httpErrorOf(err);
    if (answer.status >= 500) logger.error('converse refused', { error: errorSummary(err) });
    const out = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: answer.status,
      headers: { 'content-type': 'application/json', ...answer.headers, ...cors },
    });
    out.write(JSON.stringify(answer.body));
    out.end();
    logger.info('request', { routeId: 'converse', status: answer.status, latencyMs: Math.round(performance.now() - started) });
    return;
  }
  const out = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no', ...cors },
  });
  const sink = sseSink(out);
  try {
    if (prepared.kind === 'replay') await replayTurn(prepared.record, sink);
    else await runTurn(prepared.plan, sink, { deadlineMs });
  } catch (err) {
    const { body } = httpErrorOf(err);
    logger.error('converse failed mid-stream', { error: errorSummary(err) });
    sink.send('error', { code: body.error.code, message: body.error.message });
    sink.end();
  }
  logger.info('request', { routeId: 'converse', status: 200, latencyMs: Math.round(performance.now() - started), replay: prepared.kind === 'replay' });
}

export const handler = awslambda.streamifyResponse(converse);
