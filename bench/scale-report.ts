/** Section 7 of docs/benchmarks.md (bench/scale.ts): the write plan, the partition ceilings, the load, the cost per turn. */
import type { Ceiling, LoadRun, ScaleResult } from './scale';
import { PARTITION_RCU, PARTITION_WCU, TARGET_TURNS_PER_SECOND } from './scale';
import type { KeyClass } from './scale-plan';
import { fmt } from './stats';

const pass = (ok: boolean) => (ok ? 'pass' : '**miss**');
const n0 = (x: number) => Math.round(x).toLocaleString('en-US');

/** Prices assumed (us-east-1, on demand, ARM Lambda, REST API); stated in the report. */
export const PRICES = {
  wruPerMillion: 0.625,
  rruPerMillion: 0.125,
  lambdaGbSecondArm: 0.0000133334,
  lambdaRequestPerMillion: 0.2,
  restApiPerMillion: 3.5,
  modelInputPerMillion: 3,
  modelOutputPerMillion: 15,
};
/**
 * The turns the cost is stated for. The target is checked on `agent`: an agent turn of 30 s (two tool uses, so
 * three model calls, each reading the instructions, tool schemas and history — ~3,000 tokens — and 1,000
 * output tokens in all, at ~50 tokens/s). `chat` is one model call streamed at that speed; `waiting` is the
 * same call with the execution held 30 s (a slow tool, a queue): the worst case for the ratio.
 */
export const TURNS = {
  agent: { inputTokens: 9000, outputTokens: 1000, answerSeconds: 30 },
  chat: { inputTokens: 2000, outputTokens: 500, answerSeconds: 11 },
  waiting: { inputTokens: 2000, outputTokens: 500, answerSeconds: 30 },
} as const;
export type TurnShape = (typeof TURNS)[keyof typeof TURNS];
export const TURN = { ...TURNS.agent, converseMb: 512, stopPollSeconds: 1 };

/** Ids made readable: `SESSION#<s>`, `USAGE#U#<u>#A#<a>`, `MSG#…`. */
function shortKey(pk: string, sk: string): string {
  const p = pk
    .replace(/^SESSION#.*/, 'SESSION#<s>')
    .replace(/^USAGE#U#[^#]+#A#.*/, 'USAGE#U#<u>#A#<a>')
    .replace(/^RATE#.*/, 'RATE#<u>');
  const s = sk
    .replace(/^(MSG|DEBIT|IDEMP)#.*/, '$1#…')
    .replace(/^D#.*/, 'D#<day>')
    .replace(/^M#.*/, 'M#<month>');
  return `\`${p} / ${s}\``;
}

/** A partition as the front names it, with its ids made readable. */
function shortPartition(p: string): string {
  return `\`${p
    .replace(/^[^ /]+/, '')
    .replace(/^\/index\//, '')
    .replace(/SESSION#\w+/, 'SESSION#<s>')
    .replace(/bench-scale-on-[\w-]+/g, '<u>')
    .replace(/bench-scale-on/g, '<a>')
    .replace(/#\d{4}-\d{2}(-\d{2})?/g, (m) => (m.length > 8 ? '#<day>' : '#<month>'))
    .trim()}\``;
}

export interface CostRow {
  what: string;
  usd: number;
  basis: string;
}

export function costPerTurn(r: ScaleResult, converseMb = TURN.converseMb, turn: TurnShape = TURNS.agent) {
  const { answerSeconds } = turn;
  const stopPolls = answerSeconds / TURN.stopPollSeconds;
  const rows: CostRow[] = [
    {
      what: 'DynamoDB writes',
      usd: (r.perTurn.wcu * PRICES.wruPerMillion) / 1e6,
      basis: `${fmt(r.perTurn.wcu, 1)} WRU per turn as the front charged them over the load (the turn's items and index entries, transactional ×2, and the usage stream consumer's share)`,
    },
    {
      what: 'DynamoDB reads',
      usd: ((r.perTurn.rcu + stopPolls) * PRICES.rruPerMillion) / 1e6,
      basis: `${fmt(r.perTurn.rcu, 1)} RRU per turn measured, plus ${stopPolls} stop-request reads of a ${answerSeconds} s answer (one a second, 1 RRU each)`,
    },
    {
      what: `converse Lambda (${converseMb} MB, ARM)`,
      usd: (converseMb / 1024) * answerSeconds * PRICES.lambdaGbSecondArm + PRICES.lambdaRequestPerMillion / 1e6,
      basis: `${fmt((converseMb / 1024) * answerSeconds, 1)} GB-s (the execution is held for the whole answer) + one request`,
    },
    { what: 'API Gateway (REST)', usd: PRICES.restApiPerMillion / 1e6, basis: 'one request' },
    {
      what: 'authorizer Lambda (256 MB), at most',
      usd: 0.25 * 0.05 * PRICES.lambdaGbSecondArm + PRICES.lambdaRequestPerMillion / 1e6,
      basis: 'one 50 ms invocation if the token is not in the authorizer cache',
    },
    {
      what: 'usage stream consumer (256 MB)',
      usd: (0.25 * 0.2 * PRICES.lambdaGbSecondArm + PRICES.lambdaRequestPerMillion / 1e6) / 100,
      basis: 'one ~200 ms invocation per batch of up to 100 debits (its writes are in the DynamoDB rows); stream reads by Lambda are not billed',
    },
  ];
  const infra = rows.reduce((s, x) => s + x.usd, 0);
  const model = (turn.inputTokens * PRICES.modelInputPerMillion + turn.outputTokens * PRICES.modelOutputPerMillion) / 1e6;
  return { rows, infra, model, ratio: infra / model };
}

function worst(cs: Ceiling[], cls: KeyClass): Ceiling | undefined {
  return cs.find((c) => c.keyClass === cls);
}

function loadRow(run: LoadRun, front: string, scale: string, standsFor: string): string {
  const c = run.front.conflicts;
  const conflicts = c.cancelledTransactions + c.singleWriteConflicts + c.batchItemsUnprocessed + c.cancelledTransactGets;
  const t = run.front.throttles;
  return `| ${front} | ${scale} | ${run.users} × ${run.turnsPerUser} | ${run.turns} | ${fmt(run.turnsPerSecond, 1)} | ${standsFor} | ${fmt(run.ttfc.p50, 0)} | ${fmt(run.ttfc.p99, 0)} | ${run.ends.done} / ${run.ends.error} / ${run.ends.none} / ${run.ends.refused} | **${run.answersLost}** | ${conflicts} | ${t.requests + t.transactions + t.batchItems} |`;
}

export function scaleSection(r: ScaleResult): { lines: string[]; misses: string[] } {
  const lines: string[] = [];
  const misses: string[] = [];
  const l = (s = '') => lines.push(s);
  const { on, off } = r;
  l(`## 7. Scale: the write path at ${n0(TARGET_TURNS_PER_SECOND)} turns/s per chat app`);
  l();
  l(
    "Issue 25. A turn's transactions write its session's items and its user's own usage items plus a debit record; the shared totals (chat app, entity, agent) are added by the usage stream consumer (`functions/handlers/usage-stream.ts`, locally `scripts/local/usage-stream.ts`, polled every second here). What this section checks: no turn writes a shared item; the turn rate at which the hottest partition reaches DynamoDB's per-partition limits; a load through the DynamoDB front that conflicts and throttles as DynamoDB does (docs/dynamodb-front.md), standing for 1,000 turns/s in one chat app; the infrastructure cost per turn beside the model's.",
  );
  l();
  l('### Write plan per turn');
  l();
  l(
    "Every request of one turn in a chat app with budgets (a copy of the demo chat app, AgentCore harness echo agent, with a user daily and a chat app monthly limit), observed by a middleware on the handlers' document client (`ddb()`); the usage stream consumer's requests, recognised by their applied markers (`DEBITED#…`), are left out (they are not the turn's). Key classes as docs/data-model.md#a-turns-writes: **per session** `SESSION#…`, **per user** `USAGE#U#…`, `RATE#…`, `USER#…`, **shared** anything else. Item size: the item read back after the turn; WCU billed: ceil(KB), twice in a transaction (a ConditionCheck 1 unit, twice). Index WCU as DynamoDB Local reports it per request (`ReturnConsumedCapacity: INDEXES`).",
  );
  for (const p of r.plan) {
    l();
    l(`**${p.name}**`);
    l();
    l('| request | op | item (pk / sk) | key class | in a transaction | item bytes | table WCU billed |');
    l('|---|---|---|---|---|---|---|');
    for (const w of p.writes)
      l(`| ${w.request} ${w.command} | ${w.op} | ${shortKey(w.pk, w.sk)} | ${w.keyClass} | ${w.inTransaction ? 'yes' : 'no'} | ${w.bytes} | ${w.wcuBilled} |`);
    const byClass = (c: KeyClass) => p.writes.filter((w) => w.keyClass === c).length;
    l();
    l(
      `${p.writeRequests.length} write requests (${p.writeRequests.map((w) => `${w.command}(${w.items}): index WCU ${fmt(w.indexUnits, 0)}`).join('; ')}); items written per session ${byClass('per session')}, per user ${byClass('per user')}, **shared ${p.sharedWrites}** (${pass(p.sharedWrites === 0)}); table WCU billed ${p.wcuBilled}, index WCU ${fmt(p.indexWcuLocal, 0)} (Local). Reads: ${p.reads.map((x) => `${x.command} [${x.classes.join(', ')}]`).join('; ')} — ${fmt(p.rcu, 1)} RCU (Local). Consumer requests seen meanwhile and left out: ${p.consumerRequests}.`,
    );
  }
  const sharedWritten = r.plan.reduce((s, p) => s + p.sharedWrites, 0);
  if (sharedWritten) misses.push(`- **No shared key written by a turn**: ${sharedWritten} shared items written (section 7's write plan names them).`);
  l();
  l(
    "The reads of shared items are the budget check (the chat app's day and month totals, and the legacy rows of before 0.2, by key in one BatchGetItem): reads, never conflicting, counted in the ceilings below.",
  );
  l();
  l('### Turn rate at which the hottest partition reaches its limit');
  l();
  l(
    `From the front's counters over the load through it (below): units each partition (table or index) took, per turn of the chat app for a shared partition, per turn of its own user or session otherwise (each user ran ${on.turnsPerUser} turns in one session); the turn rate at which it reaches DynamoDB's ${n0(PARTITION_WCU)} WCU/s or ${n0(PARTITION_RCU)} RCU/s; and how full it ran during the load, against its limit divided by the scale.`,
  );
  l();
  l('| units | class | hottest partition | units per turn | reaches the limit at | of the limit during the load |');
  l('|---|---|---|---|---|---|');
  const sharedW = r.ceilings.wcu.filter((c) => c.keyClass === 'shared').slice(0, 4);
  const rows: [string, Ceiling | undefined][] = [
    ...sharedW.map((c) => ['WCU', c] as [string, Ceiling]),
    ['WCU', worst(r.ceilings.wcu, 'per user')],
    ['WCU', worst(r.ceilings.wcu, 'per session')],
    ['RCU', worst(r.ceilings.rcu, 'shared')],
    ['RCU', worst(r.ceilings.rcu, 'per user')],
    ['RCU', worst(r.ceilings.rcu, 'per session')],
  ];
  for (const [u, c] of rows)
    if (c)
      l(
        `| ${u} | ${c.keyClass} | ${shortPartition(c.partition)} | ${fmt(c.perTurn, 2)} | ${n0(c.turnsPerSecond)} turns/s ${c.keyClass === 'shared' ? 'of the chat app' : `of that one ${c.keyClass === 'per user' ? 'user' : 'session'}`} | ${fmt(100 * c.loadShare, 0)} % |`,
      );
  const sharedAll = [...r.ceilings.wcu, ...r.ceilings.rcu].filter((c) => c.keyClass === 'shared').sort((a, b) => a.turnsPerSecond - b.turnsPerSecond);
  const chatAppCeiling = sharedAll[0]?.turnsPerSecond ?? Number.POSITIVE_INFINITY;
  const ceilingOk = chatAppCeiling >= TARGET_TURNS_PER_SECOND;
  l();
  l(
    `**A chat app's ceiling: ${n0(chatAppCeiling)} turns/s** (${sharedAll[0] ? `${shortPartition(sharedAll[0].partition)}, the lowest of its shared partitions` : 'no shared partition'}; target ≥ ${n0(TARGET_TURNS_PER_SECOND)}: ${pass(ceilingOk)}). What no turn shares with another user is bounded by that user's or session's own rate: a session runs one turn at a time (docs/converse.md#one-turn-at-a-time) and a turn lasts at least its answer (seconds), so one session makes at most about one turn a second — far below the ${n0(worst(r.ceilings.wcu, 'per session')?.turnsPerSecond ?? NaN)} turns/s its partition allows; a user's partitions carry only that user's turns (their concurrency: the per-user converse rate limit, ${'30'} a minute in prod). The consumer's share of the shared totals is per batch: here a pass every second took the second's debits (fewer than 100), so per turn it is higher than in AWS at ${n0(TARGET_TURNS_PER_SECOND)} turns/s, where batches are full (100 debits per transaction). The usage-rank shards of gsi3 (\`USAGE#A#<a>#<bucket>#U#<shard>\`, 16, a user in the shard of their id) are charged by the front on every update of a user's usage items, because each update SETs their index keys and the projected \`chatAppId\` again (the front charges an index whose attributes a write names, docs/dynamodb-front.md; DynamoDB Local reports no index write for it when the values are unchanged, as in the plan above); with ${on.users} users some shards hold more than 1/16 of them, and with many users each carries about 1/16 of the turns.`,
  );
  if (!ceilingOk)
    misses.push(
      `- **Chat app ceiling ≥ ${n0(TARGET_TURNS_PER_SECOND)} turns/s** (${n0(chatAppCeiling)}: ${sharedAll[0] ? shortPartition(sharedAll[0].partition) : ''}): that shared partition takes ${fmt(sharedAll[0]?.perTurn ?? NaN, 2)} units per turn; more shards for it (a stage setting for index shards, \`INDEX_SHARDS\`), or taking it off the turn's path, would lift it.`,
    );

  l();
  l('### A load standing for 1,000 turns/s in one chat app');
  l();
  l(
    `${on.users} users of one chat app, each in a session of their own (titled up front, so no title is generated during the load) running ${on.turnsPerUser} turns one after the other, all users at once, read as SSE through the local HTTP API. Twice, on a fresh chat app each time: first through a front that passes everything (conflicts and throttling off: the same hop, no contention), which measures the rate this machine reaches — ${fmt(off.turnsPerSecond, 1)} turns/s; then through a front that conflicts (items held ${r.holdMs} ms after each transaction, as a two-phase commit) and throttles, its per-partition limits divided by **scale = ${fmt(r.scale, 1)}** = ${n0(TARGET_TURNS_PER_SECOND)} / (${fmt(0.8, 1)} × ${fmt(off.turnsPerSecond, 1)}): at that scale every partition gets ${fmt(PARTITION_WCU / r.scale, 1)} WCU/s and ${fmt(PARTITION_RCU / r.scale, 1)} RCU/s, so a shared partition sees what it would see at (turns/s here) × ${fmt(r.scale, 1)} turns/s in AWS. The 0.8 leaves room for the holds slowing the second load; what it stands for is its own rate × scale.`,
  );
  l();
  l(
    '| DynamoDB | scale | users × turns | turns | turns/s here | stands for, turns/s | TTFC p50 ms | TTFC p99 ms | done / error / no end / refused | answers lost | conflicts (front) | throttles (front) |',
  );
  l('|---|---|---|---|---|---|---|---|---|---|---|---|');
  l(loadRow(off, 'front passing (no contention)', '—', '—'));
  l(loadRow(on, 'front conflicting + throttling', fmt(r.scale, 1), n0(r.standsFor)));
  l();
  const standsOk = r.standsFor >= TARGET_TURNS_PER_SECOND;
  for (const run of [off, on]) {
    const s = run.stored;
    const sharedOk =
      run.shared.turns === run.ends.done &&
      run.shared.inputTokens === run.shared.sessionsInputTokens &&
      run.shared.outputTokens === run.shared.sessionsOutputTokens;
    l(
      `- **${run === on ? 'Through the conflicting, throttling front' : 'Front passing'}**: ${run.ends.done} of ${run.turns} turns ended with \`done\` (${pass(run.ends.done === run.turns)}), ${run.ends.error} with \`error\`, ${run.ends.none} without an end, ${run.ends.refused} refused before the stream (nothing stored; the client may retry)${run.errorSamples.length ? ` (e.g. ${run.errorSamples.map((e) => `\`${e.slice(0, 120)}\``).join(', ')})` : ''}; questions stored once ${s.questions} of ${run.turns}, each followed by its answer ${s.answers} of ${run.turns}, duplicates ${s.duplicates}: **${run.answersLost} answers lost** (${pass(run.answersLost === 0)}); session counters equal their messages' usage in ${s.sessionsChecked - s.countersMismatched} of ${s.sessionsChecked} sessions (${pass(s.countersMismatched === 0)}); the chat app's shared totals after the usage stream: ${run.shared.turns} turns for ${run.ends.done} answers, ${n0(run.shared.inputTokens)} / ${n0(run.shared.outputTokens)} input / output tokens for the sessions' ${n0(run.shared.sessionsInputTokens)} / ${n0(run.shared.sessionsOutputTokens)} (${pass(sharedOk)}).`,
    );
    if (run === on && (run.answersLost || !sharedOk || s.countersMismatched || run.ends.done !== run.turns))
      misses.push(
        `- **0 answers lost through the conflicting, throttling front** (${run.answersLost} lost of ${run.turns}: ${run.ends.error} ended with \`error\`, ${run.ends.none} without an end, ${run.ends.refused} refused before the stream${run.errorSamples.length ? `: ${run.errorSamples.map((e) => `\`${e.slice(0, 100)}\``).join(', ')}` : ''}; ${s.countersMismatched} sessions whose counters differ; shared totals ${pass(sharedOk)}). The front refused no turn for a conflict; what was refused was throttled per-session and per-user partitions, at a scale (${fmt(r.scale, 1)}, from this shared machine's ${fmt(off.turnsPerSecond, 1)} turns/s) where a session's partition gets ${fmt(PARTITION_WCU / r.scale, 1)} WCU/s — less than the ${fmt(worst(r.ceilings.wcu, 'per session')?.perTurn ?? NaN, 0)} WCU one turn writes on it — so a turn's answer transaction can exhaust its retries; the session then stays held by that turn until its lease ends, and the user's next turn gets 409 \`TURN_IN_PROGRESS\`. In AWS that partition has ${n0(PARTITION_WCU)} WCU/s for one turn at a time. Closing it here: a machine that reaches more turns/s (a smaller scale), or a front with a scale for shared partitions only (scripts/local/dynamodb-front.ts has one scale for all; not changed here). An answer whose transaction still fails is not dropped: it is handed to the answer queue and stored later (docs/converse.md#an-answer-is-never-lost).`,
      );
  }
  const refused = Object.entries(on.refused).sort((a, b) => b[1] - a[1]);
  const sharedRefused = refused.filter(([k]) => k.startsWith('shared')).reduce((x, [, v]) => x + v, 0);
  const t = on.front.throttles;
  l(
    `- What the front refused during that load: ${on.front.conflicts.cancelledTransactions} transactions cancelled for conflicts, ${t.transactions} for throttling, ${t.requests} single requests and ${t.batchItems} batch items throttled (by reason: ${
      Object.entries(t.byReason)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }). Seen by the handlers' client attempt by attempt, by the class of the refused item's key: ${refused.map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}. Each is retried by the SDK, then by the data layer's retry policy.`,
  );
  l(
    `- Stands for ${n0(r.standsFor)} turns/s (${fmt(on.turnsPerSecond, 1)} × ${fmt(r.scale, 1)}; target ≥ ${n0(TARGET_TURNS_PER_SECOND)}: ${pass(standsOk)}). Time to first chunk through the front p50 ${fmt(on.ttfc.p50, 0)} ms, p99 ${fmt(on.ttfc.p99, 0)} ms, beside ${fmt(off.ttfc.p50, 0)} / ${fmt(off.ttfc.p99, 0)} ms with the front passing.`,
  );
  const lag = on.usageLag;
  l(
    `- **How far entity and chat-app budgets trail** (docs/converse.md#budgets): a debit was added to the shared totals p50 ${fmt(lag.p50 / 1000, 2)} s, p99 ${fmt(lag.p99 / 1000, 2)} s, at most ${fmt(lag.max / 1000, 2)} s after its answer (${n0(lag.debits)} debits, the usage stream polled every second as the event source's 1 s batching window, through the same front). Those levels are checked against totals that old, so a burst overshoots an entity or chat-app limit by at most the turns admitted within the lag: at ${n0(TARGET_TURNS_PER_SECOND)} turns/s in one chat app and this p99, about ${n0((TARGET_TURNS_PER_SECOND * lag.p99) / 1000)} turns' spend; the \`usageLag\` alarm (IteratorAge over \`alarms.usageLagSeconds\`, 60 s) says when the consumer falls behind that bound.`,
  );
  if (!standsOk)
    misses.push(
      `- **Load standing for ${n0(TARGET_TURNS_PER_SECOND)} turns/s**: the load through the conflicting front ran at ${fmt(on.turnsPerSecond, 1)} turns/s, ${fmt((100 * on.turnsPerSecond) / off.turnsPerSecond, 0)} % of the passing front's rate, so at scale ${fmt(r.scale, 1)} it stands for ${n0(r.standsFor)}; a larger margin in the scale (bench/scale.ts \`MARGIN\`) would make it stand for more on this shared machine.`,
    );
  l();
  l(
    `Scaling divides every partition's limit, so it stands for the chat app's shared partitions exactly, and is harsh on the per-session and per-user ones: here each session makes a turn every ${fmt((on.users * on.turnsPerUser) / on.turns / (on.turnsPerSecond / on.users), 1)} s or so against a partition ${fmt(r.scale, 0)} times smaller than DynamoDB's, and a bucket of one second of it (${fmt(PARTITION_WCU / r.scale, 1)} WCU) ${PARTITION_WCU / r.scale < (worst(r.ceilings.wcu, 'per session')?.perTurn ?? 0) ? 'holds less than one turn writes on its session' : 'holds about one turn'} — so the throttles on per-session and per-user keys above are the scale's, not the design's (in AWS a session's partition has ${n0(PARTITION_WCU)} WCU/s for one turn at a time), and they cost the time to first chunk through the front the SDK's back-off. ${sharedRefused ? `The ${sharedRefused} refusals on shared keys are the usage stream consumer's (a turn writes no shared key, above): its batch fails and is read again, the applied markers keeping it exactly once.` : 'Nothing shared was refused.'}`,
  );
  l();
  l(
    "**Before** — the former design (every answer's transaction ADDing to the chat app's and agent's day and month totals), as measured in issue 25 through the same front (not re-measured here; that design is gone):",
  );
  l();
  l('| what the front enforces | load in one chat app | answers streamed to the user, never stored |');
  l('|---|---|---|');
  l('| 15 ms commits only (production rates) | saturates near 50 turns/s; transactions per turn 2 → 7 | 10 of ~1,240 |');
  l('| partition limits only (scaled ÷10) | stands for ~270 turns/s | 61 of 722 (8 %) |');
  l('| both | ~19–23 turns/s here | 40 of 1,946; 78 of 2,421 |');
  l('| neither (control) | up to 70 turns/s here | 0 of 2,712 |');
  l();
  l(
    `Issue 25 also found the hottest partitions were the chat app's usage partitions at 4 WCU per turn (a chat app capped near 250 turns/s); today the hottest shared partition takes ${fmt(sharedW[0]?.perTurn ?? NaN, 2)} WCU per turn (${sharedW[0] ? shortPartition(sharedW[0].partition) : '—'}).`,
  );
  l();
  l("### Infrastructure cost per turn beside the model's");
  l();
  const cost = costPerTurn(r);
  l(
    `Prices assumed (us-east-1, on-demand, list prices; not read from AWS during the run): DynamoDB $${PRICES.wruPerMillion} per million write request units and $${PRICES.rruPerMillion} per million read request units (on-demand, since the November 2024 price cut); Lambda ARM $${PRICES.lambdaGbSecondArm} per GB-s and $${PRICES.lambdaRequestPerMillion} per million requests; API Gateway REST $${PRICES.restApiPerMillion} per million requests; a Sonnet-class model at $${PRICES.modelInputPerMillion} / $${PRICES.modelOutputPerMillion} per million input / output tokens. The stated turn: an agent turn of ${TURN.answerSeconds} s on converse at ${TURN.converseMb} MB (\`capacity.converseMemoryMb\`) — two tool uses, so three model calls, each reading the instructions, tool schemas and history (~3,000 tokens), ${n0(TURN.inputTokens)} input and ${n0(TURN.outputTokens)} output tokens in all (bench/scale-report.ts \`TURNS\`): **model $${fmt(cost.model, 4)} per turn**.`,
  );
  l();
  l('| part | $ per turn | share of infrastructure | basis |');
  l('|---|---|---|---|');
  for (const c of cost.rows) l(`| ${c.what} | ${c.usd.toExponential(2)} | ${fmt((100 * c.usd) / cost.infra, 1)} % | ${c.basis} |`);
  l(`| **infrastructure** | **${cost.infra.toExponential(2)}** | 100 % | |`);
  l();
  const costOk = cost.ratio <= 0.01;
  const alt = (mb: number, t: TurnShape) => `${fmt(100 * costPerTurn(r, mb, t).ratio, 2)} %`;
  l(
    `**Infrastructure / model = ${fmt(100 * cost.ratio, 2)} %** (target ≤ 1 %: ${pass(costOk)}). The converse Lambda is ${fmt((100 * cost.rows[2]!.usd) / cost.infra, 0)} % of it: an execution held for the whole answer while it waits on the agent (a turn's own CPU is ~10 ms, docs/scaling.md#converse-memory), billed by GB-s — so the ratio follows how much model work fills each second of the answer: a Sonnet-class model streaming 50 tokens/s bills $${fmt((50 * PRICES.modelOutputPerMillion) / 1e6, 5)} a second, converse at ${TURN.converseMb} MB $${fmt((TURN.converseMb / 1024) * PRICES.lambdaGbSecondArm, 7)}.`,
  );
  l();
  l('| turn | tokens in / out | answer s | model $ | at 512 MB | at 256 MB |');
  l('|---|---|---|---|---|---|');
  for (const [name, t] of Object.entries(TURNS))
    l(
      `| ${name} | ${n0(t.inputTokens)} / ${n0(t.outputTokens)} | ${t.answerSeconds} | ${fmt(costPerTurn(r, 512, t).model, 4)} | ${alt(512, t)} | ${alt(256, t)} |`,
    );
  l();
  l(
    `The \`waiting\` turn — one short model call while the execution is held ${TURNS.waiting.answerSeconds} s — is where infrastructure passes 1 % (${alt(512, TURNS.waiting)} at 512 MB, ${alt(256, TURNS.waiting)} at 256 MB): an agent whose turns mostly wait on slow tools pays for the wait. Levers: \`capacity.converseMemoryMb\` 256 (docs/scaling.md measured ~50 ms more to the first chunk), or a relay that does not hold a Lambda while the agent waits (the client reading a stream the provider serves), which this design does not do.`,
  );
  if (!costOk)
    misses.push(
      `- **Infrastructure ≤ 1 % of the model's cost per turn** (${fmt(100 * cost.ratio, 2)} % for the stated ${TURN.answerSeconds} s agent turn at ${TURN.converseMb} MB): ${fmt((100 * cost.rows[2]!.usd) / cost.infra, 0)} % of it is the converse Lambda waiting on the agent. DynamoDB is ${fmt((100 * (cost.rows[0]!.usd + cost.rows[1]!.usd)) / cost.infra, 0)} % of it.`,
    );
  return { lines, misses };
}
