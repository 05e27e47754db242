/**
 * POST /converse and its client-protocol modes (/converse/ai-sdk, /converse/ag-ui): the streaming execution mode
 * of the request pipeline (functions/http/handler.ts). Everything refusable (prepareTurn) happens before the
 * stream starts; then the turn, or the replay of a stored one — the same for every mode, only framed differently
 * (functions/converse/protocols).
 */
import { type PrepareOptions, prepareTurn, type ConverseBody } from '../converse/prepare';
import { AG_UI_HEADERS, agUiEncoder, agUiTurn } from '../converse/protocols/ag-ui';
import { AI_SDK_HEADERS, aiSdkEncoder, aiSdkTurn } from '../converse/protocols/ai-sdk';
import type { ProtocolTurn } from '../converse/protocols/turn';
import { replayTurn, runTurn } from '../converse/run';
import { createStreamingHandler, type StreamedAnswer } from '../http/handler';
import { CONVERSE_ROUTES } from '../http/routes/converse';
import { header } from '../http/request';
import type { Principal } from '../policy/principal';
import type { APIGatewayProxyEvent } from 'aws-lambda';

async function turn(
  principal: Principal,
  body: ConverseBody,
  event: APIGatewayProxyEvent,
  opts: PrepareOptions,
  encoding?: StreamedAnswer['encoding'],
): Promise<StreamedAnswer> {
  const prepared = await prepareTurn(principal, body, header(event, 'idempotency-key'), opts);
  return {
    log: { replay: prepared.kind === 'replay', ...(encoding ? { protocol: encoding.headers['x-protocol'] } : {}) },
    write: (sink) => (prepared.kind === 'replay' ? replayTurn(prepared.record, sink) : runTurn(prepared.plan, sink, { deadlineMs: opts.deadlineMs })),
    ...(encoding ? { encoding } : {}),
  };
}

const protocolOptions = (t: ProtocolTurn, deadlineMs: number): PrepareOptions => ({
  deadlineMs,
  conversationId: t.conversationId,
  ...(t.toolResultsFromHistory ? { toolResultsFromHistory: true } : {}),
});

export const handler = createStreamingHandler('converse', CONVERSE_ROUTES, {
  converse: ({ principal, body, event }, { deadlineMs }) => turn(principal, body, event, { deadlineMs }),
  converseAiSdk: ({ principal, body, event }, { deadlineMs }) => {
    const t = aiSdkTurn(body);
    return turn(principal, t.body, event, protocolOptions(t, deadlineMs), { headers: AI_SDK_HEADERS, frame: aiSdkEncoder() });
  },
  converseAgUi: ({ principal, body, event }, { deadlineMs }) => {
    const t = agUiTurn(body);
    return turn(principal, t.body, event, protocolOptions(t, deadlineMs), { headers: AG_UI_HEADERS, frame: agUiEncoder(body) });
  },
});
