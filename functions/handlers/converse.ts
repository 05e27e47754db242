/**
 * POST /converse: the streaming execution mode of the request pipeline (functions/http/handler.ts). Everything
 * refusable (prepareTurn) happens before the stream starts; then the turn, or the replay of a stored one.
 */
import { prepareTurn } from '../converse/prepare';
import { replayTurn, runTurn } from '../converse/run';
import { createStreamingHandler } from '../http/handler';
import { CONVERSE_ROUTES } from '../http/routes/converse';
import { header } from '../http/request';

export const handler = createStreamingHandler('converse', CONVERSE_ROUTES, {
  converse: async ({ principal, body, event }, { deadlineMs }) => {
    const prepared = await prepareTurn(principal, body, header(event, 'idempotency-key'), { deadlineMs });
    return {
      log: { replay: prepared.kind === 'replay' },
      write: (sink) => (prepared.kind === 'replay' ? replayTurn(prepared.record, sink) : runTurn(prepared.plan, sink, { deadlineMs })),
    };
  },
});
