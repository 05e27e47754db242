/**
 * npm run bench: every figure beside its floor, measured in the same run on the local stack, written to
 * docs/benchmarks.md. BENCH_QUICK=1 runs a smaller version (fewer samples and items).
 */
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR'; // before any handler module creates its logger

const { writeFileSync } = await import('node:fs');
const { cpus, loadavg } = await import('node:os');
const { join } = await import('node:path');
const { startStack } = await import('./stack');
const { crudLatency } = await import('./crud');
const { converseOverhead } = await import('./converse');
const { dynamoCost } = await import('./cost');
const { coldStart, coldStartMiss, coldStartSection } = await import('./cold-start');
const { scaling } = await import('./scaling');
const { load, CONCURRENCY } = await import('./load');
const { searchBench } = await import('./search');
const { scaleBench } = await import('./scale');
const { scaleSection } = await import('./scale-report');
const { fmt } = await import('./stats');
const { ttfcSvg } = await import('./chart');

const quick = process.env.BENCH_QUICK === '1';
const started = performance.now();
const log = (m: string) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${m}`);

// The machine is shared: the 1-minute load average is sampled through the run and reported.
const loads: number[] = [loadavg()[0]!];
const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 2000);
const stack = await startStack();
try {
  log('CRUD latency');
  const crud = await crudLatency(stack, quick ? 100 : 400);
  log('converse streaming overhead');
  const conv = await converseOverhead(stack, quick ? 20 : 60);
  log('load');
  const loaded = await load(stack, quick ? 1 : 3);
  log('DynamoDB cost per operation');
  const cost = await dynamoCost(stack);
  log('cold start');
  const coldResult = await coldStart(quick ? 3 : 7);
  log('scaling');
  const sizes = quick ? [10, 1000] : [10, 1000, 100_000];
  const scale = await scaling(stack, sizes, quick ? 20 : 50);
  log('session search');
  const searched = await searchBench(stack, quick ? 20_000 : 100_000, quick ? 10 : 30);
  log('scale: the write path at 1,000 turns/s per chat app');
  const scaled = scaleSection(await scaleBench(stack, quick));
  const seconds = (performance.now() - started) / 1000;

  const pass = (ok: boolean) => (ok ? 'pass' : '**miss**');
  const lines: string[] = [];
  const l = (s = '') => lines.push(s);
  l('# Benchmarks');
  l();
  l(
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, DynamoDB Local (in memory) and the agent emulator on loopback, everything in one process except DynamoDB Local. Run time ${fmt(seconds, 0)} s${quick ? ' (BENCH_QUICK)' : ''}; 1-minute load average seen during the run ${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)} on ${cpus().length} cores (the machine is shared with other work). Each figure stands beside a floor measured in the same run; ratios, not absolute numbers, are what carries over to AWS.`,
  );
  l();
  l('## 1. CRUD latency: the handler stack vs the raw DynamoDB call(s)');
  l();
  l(
    "Floor: the same DynamoDB call(s) the handler makes, with the same document client, interleaved. The per-user rate limits are off in these runs (their one UpdateItem per write request is counted in section 3). **Handler**: the group Lambda handler invoked in-process with the API Gateway proxy event — what a Lambda invocation runs (parsing, validation, auth, ownership, logging). **HTTP API**: the same through the local HTTP server, which adds an HTTP round trip (bare round trip in the last column) and the local stand-in for API Gateway's event building.",
  );
  l();
  l(
    '| operation | floor p50 ms | handler p50 ms | ratio | floor p99 ms | handler p99 ms | ratio | target ≤ 1.15× | HTTP API p50 ms | ratio | HTTP API p99 ms | ratio | bare HTTP p50 ms |',
  );
  l('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of crud.rows) {
    const h50 = r.handlerP50 / r.handlerFloorP50;
    const h99 = r.handlerP99 / r.handlerFloorP99;
    l(
      `| ${r.name} | ${fmt(r.handlerFloorP50)} | ${fmt(r.handlerP50)} | ${fmt(h50)} | ${fmt(r.handlerFloorP99)} | ${fmt(r.handlerP99)} | ${fmt(h99)} | ${pass(h50 <= 1.15 && h99 <= 1.15)} | ${fmt(r.apiP50)} | ${fmt(r.apiP50 / r.floorP50)} | ${fmt(r.apiP99)} | ${fmt(r.apiP99 / r.floorP99)} | ${fmt(r.httpFloorP50)} |`,
    );
  }
  l();
  l(
    "Through local HTTP the ratios stay above 1.15×: an HTTP round trip plus the local event building cost about as much as a third of a DynamoDB Local call, which is far faster than DynamoDB is from Lambda. In AWS that part is API Gateway's and the same for any backend.",
  );
  l();
  l(
    `Requests per second, get-session: ${crud.rps.map((x) => `concurrency ${x.concurrency}: ${fmt(x.rps, 0)}/s`).join(', ')} (one process serves the API and the load; DynamoDB Local is a single JVM).`,
  );
  l();
  l('## 2. Converse time to first chunk, per agent kind');
  l();
  l(
    `${conv.n} turns per kind and per measurement, all sixteen measurements (4 kinds × 4) interleaved round by round in a rotating order, after ${8} warm-up rounds. Each kind is the emulator's \`echo\` agent reached through the real SDK client: Agents Classic \`bedrock-agent\` (InvokeAgent) and \`inline\` (InvokeInlineAgent), AgentCore \`agentcore-harness\` (InvokeHarness) and \`agentcore-runtime\` (InvokeAgentRuntime). Times from the start of the request to the first chunk (TTFC).`,
  );
  l();
  l(
    '- **converse**: POST /converse on an existing titled session, read as SSE (token verification, config (cached), context read, user-message write, provider call, relay).',
  );
  l('- **direct**: the same emulator agent called directly with the same SDK client, its stream read until the first text chunk.');
  l(
    "- **floor** (issue 18): the direct stream preceded by the raw DynamoDB requests a turn cannot skip before the provider call — the context read (BatchGetItem of the session and the user, strongly consistent) and the durable user-message write (TransactWriteItems: the message Put and the session Update) — issued with the handlers' own document client.",
  );
  l(
    '- **handler**: the converse Lambda handler invoked in-process with the API Gateway event on a response stream — what a Lambda invocation runs, without the local HTTP server that stands in for API Gateway and the response stream (as the **Handler** column of section 1).',
  );
  l(
    "- **relay overhead** = converse TTFC − floor TTFC, target ≤ 2 ms at p50, judged in-process (the handler's): through the local HTTP server it also carries that server's round trip and event building, which in AWS are API Gateway's and the same for any backend.",
  );
  l();
  l(
    '| agent kind | handler p50 ms | converse (HTTP) p50 ms | direct p50 ms | floor p50 ms | **relay overhead p50 ms, in-process** | target ≤ 2 ms | overhead p50 ms through HTTP | handler p99 ms | converse (HTTP) p99 ms | direct p99 ms | floor p99 ms |',
  );
  l('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const k of conv.kinds) {
    const over = k.handlerFirst.p50 - k.floorFirst.p50;
    l(
      `| \`${k.kind}\` | ${fmt(k.handlerFirst.p50)} | ${fmt(k.apiFirst.p50)} | ${fmt(k.directFirst.p50)} | ${fmt(k.floorFirst.p50)} | **${fmt(over)}** | ${pass(over <= 2)} | ${fmt(k.apiFirst.p50 - k.floorFirst.p50)} | ${fmt(k.handlerFirst.p99)} | ${fmt(k.apiFirst.p99)} | ${fmt(k.directFirst.p99)} | ${fmt(k.floorFirst.p99)} |`,
    );
  }
  l();
  l('![time to first chunk per agent kind: direct, floor, handler, converse](benchmarks-ttfc.svg)');
  l();
  l(
    'The relay alone (first chunk after the `session` event, which converse sends once the user message is stored and the provider call starts) and whole answers:',
  );
  l();
  l(
    '| agent kind | relay alone p50 ms | direct TTFC p50 ms | relay alone p99 ms | converse total p50 ms | direct total p50 ms | chunks in = out | chunks per answer |',
  );
  l('|---|---|---|---|---|---|---|---|');
  for (const k of conv.kinds)
    l(
      `| \`${k.kind}\` | ${fmt(k.apiRelayFirst.p50)} | ${fmt(k.directFirst.p50)} | ${fmt(k.apiRelayFirst.p99)} | ${fmt(k.apiTotal.p50)} | ${fmt(k.directTotal.p50)} | ${k.chunksEqual ? 'yes' : '**no**'} | ${k.chunksPerAnswer} |`,
    );
  l();
  const missed = conv.kinds.filter((k) => k.handlerFirst.p50 - k.floorFirst.p50 > 2);
  l(
    missed.length
      ? `Relay overhead above 2 ms at p50: ${missed.map((k) => `\`${k.kind}\``).join(', ')} — see *Targets missed* below.`
      : 'Relay overhead ≤ 2 ms at p50 for every agent kind.',
  );
  if (conv.kinds.some((k) => k.handlerFirst.p50 < k.floorFirst.p50))
    l(
      "\nAn overhead below zero means the handler's own work is smaller than this run's spread: the floor's requests go through the same document client, but its provider call through the bench's own SDK client (the handler's client has its own connections), and the two sides alternate with every other measurement of the round.",
    );
  l();
  l('## 2b. Load: 64 concurrent turns');
  l();
  l(
    `${loaded.rounds} round(s) of ${CONCURRENCY} concurrent converse turns — 16 per agent kind, four at a time on each of four sessions — beside the same ${CONCURRENCY} streams read directly from the provider and the same streams each preceded by the floor's raw DynamoDB requests (section 2), on sessions of their own; the three loads one after the other, their order rotated per round.`,
  );
  l();
  l('| load | TTFC p50 ms | TTFC p99 ms | turns per second | errors |');
  l('|---|---|---|---|---|');
  for (const [name, x] of [
    ['POST /converse', loaded.api],
    ['floor: direct + DynamoDB', loaded.floor],
    ['direct SDK stream', loaded.direct],
  ] as const)
    l(`| ${name} | ${fmt(x.p50)} | ${fmt(x.p99)} | ${fmt(x.turnsPerSecond, 1)} | ${x.errors} |`);
  l();
  const st = loaded.stored;
  l(
    `After the load: ${st.found} of ${st.expected} messages stored (${pass(st.found === st.expected)}), ${st.duplicates} duplicated (${pass(st.duplicates === 0)}), ${st.unanswered} questions without their answer (${pass(st.unanswered === 0)}), errors ${loaded.api.errors} (${pass(loaded.api.errors === 0)}); session counters equal the sum of their messages' usage in ${st.sessionsChecked - st.countersMismatched} of ${st.sessionsChecked} sessions (${pass(st.countersMismatched === 0)}).`,
  );
  l();
  l(
    'Under this load the local stack is bound by DynamoDB Local (one JVM; every turn makes a BatchGetItem, two TransactWriteItems and the UpdateItem of the activity re-sort, the floor a BatchGetItem and a TransactWriteItems) and by the one Node process that serves the API and generates the load on the same two cores; the direct streams touch neither. The floor row shows how much of the difference DynamoDB Local alone accounts for; in AWS, DynamoDB and Lambda scale out per request and this contention does not arise.',
  );
  l();
  l('## 3. DynamoDB cost per operation');
  l();
  l(
    'Requests observed on the document client the handlers use (config reads are cached per container and were warm). Capacity as DynamoDB Local reports it with `ReturnConsumedCapacity: INDEXES`. DynamoDB Local under-reports transactions (it reports one of 8 small updates in a TransactWriteItems as 2 WCU), so the next column gives a lower bound of what DynamoDB bills: per transaction at least 2 WCU per item.',
  );
  l();
  l('| operation | reads | writes | scans | RCU | WCU (Local) | WCU billed, at least | usage aggregate items written | requests |');
  l('|---|---|---|---|---|---|---|---|---|');
  for (const c of cost)
    l(
      `| ${c.name} | ${c.reads} | ${c.writes} | ${c.scans} | ${fmt(c.rcu, 1)} | ${fmt(c.wcu, 1)} | ${fmt(c.wcuBilledAtLeast, 0)} | ${c.aggregateWrites} | ${c.commands.join(', ')} |`,
    );
  l();
  l(
    "Write amplification: where each write operation's WCU went (DynamoDB Local, `ReturnConsumedCapacity: INDEXES`). The indexes carry only what lists and search read (docs/data-model.md#index-projections): a change of anything else costs them nothing; a change of a sort key costs a delete and a put in that index.",
  );
  l();
  const gsiNames = ['gsi1', 'gsi2', 'gsi3', 'gsi4'];
  l(`| operation | table | ${gsiNames.join(' | ')} |`);
  l(`|---|---|${gsiNames.map(() => '---').join('|')}|`);
  for (const c of cost.filter((c) => c.writes > 0))
    l(`| ${c.name} | ${fmt(c.wcuBy.table ?? 0, 0)} | ${gsiNames.map((g) => fmt(c.wcuBy[g] ?? 0, 0)).join(' | ')} |`);
  const turn = cost.find((c) => c.name.startsWith('converse turn, new session'))!;
  const steady = cost.find((c) => c.name === 'converse turn, existing session (rate limit off)')!;
  const small = cost.find((c) => c.name.startsWith('converse turn, existing session, chat app with budgets'))!;
  const totalScans = cost.reduce((s, c) => s + c.scans, 0);
  l();
  l(
    `Targets: a converse turn ≤ 3 write requests — new session with title: ${turn.writes} (${pass(turn.writes <= 3)}), existing session: ${steady.writes} (${pass(steady.writes <= 3)}); the per-user rate limit adds one write when enabled. ≤ 1 read beyond config lookups — existing session: ${steady.reads} (${pass(steady.reads <= 1)}). Scans anywhere: ${totalScans} (${pass(totalScans === 0)}).`,
  );
  l();
  const wcuOk = steady.wcuBilledAtLeast <= 12 && turn.wcuBilledAtLeast <= 16;
  l(
    `Write cost (issue 18): a turn on an existing session ${fmt(steady.wcu, 0)} WCU as DynamoDB Local reports it, at least ${fmt(steady.wcuBilledAtLeast, 0)} as DynamoDB bills it (target ≤ 12: ${pass(steady.wcuBilledAtLeast <= 12)}); a new session with its title ${fmt(turn.wcu, 0)} WCU, billed at least ${fmt(turn.wcuBilledAtLeast, 0)} (target ≤ 16: ${pass(turn.wcuBilledAtLeast <= 16)}). Judged on the billed figure: Local's is not what a deployment pays. The existing session here carries a feedback and insights (their search summaries make its item larger than 1 KB, so each of the turn's three writes of it costs 2 WCU or more); a turn on a session without them (the chat app with budgets) costs ${fmt(small.wcu, 0)} WCU as Local reports it, at least ${fmt(small.wcuBilledAtLeast, 0)} billed.`,
  );
  l();
  l(
    `Usage (budgets and reports, docs/data-model.md#usage-and-budgets): a turn with a new session and title writes ${turn.aggregateWrites} usage items, an existing-session turn ${steady.aggregateWrites} — the user's own day and month items (per user: a budget's reservation in the question's transaction, its settlement in the answer's), inside the transactions the turn makes anyway, no extra write request; the chat app's, entity's and agent's shared totals are not written by the turn but by the usage stream consumer from the turn's debit record (section 7); a chat app with budgets adds one BatchGetItem per turn (the budget check).`,
  );
  l();
  for (const line of coldStartSection(coldResult)) l(line);
  l();
  l('## 5. Scaling with history');
  l();
  l('| items in the partition | list-messages (50) p50 ms | list-sessions (20) p50 ms | seeding s |');
  l('|---|---|---|---|');
  for (const r of scale.rows) l(`| ${r.size} | ${fmt(r.listMessagesP50)} | ${fmt(r.listSessionsP50)} | ${fmt(r.seedSeconds, 1)} |`);
  l();
  l(
    `Message append as a session grows to 1 000 messages: first 100 p50 ${fmt(scale.appendFirst100.p50)} ms (p99 ${fmt(scale.appendFirst100.p99)}), last 100 p50 ${fmt(scale.appendLast100.p50)} ms (p99 ${fmt(scale.appendLast100.p99)}).`,
  );
  l();
  l(
    `The message partition holds up to ${sizes.at(-1)} items; a user's sessions are capped at 1 000 in the seed (each one is a separate write through the API's own createSession).`,
  );
  l();
  l("## 6. Session search: the spec's example");
  l();
  l(
    `${searched.sessions} sessions of one chat app over a year (1 000 users, seeded in ${fmt(searched.seedSeconds, 0)} s), searched through the HTTP API with the spec's example: \`chatAppId\`, \`customUserData\` \`{ accountId, context }\`, a \`created\` date range, \`includeInsights\`, \`sortBy createDate desc\`, \`size 20\`. RCU as DynamoDB Local reports it for the whole search (index Queries and the insights reads).`,
  );
  l();
  l('| search | p50 ms | p99 ms | RCU | sessions returned | status |');
  l('|---|---|---|---|---|---|');
  for (const r of searched.rows) l(`| ${r.name} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.rcu, 1)} | ${r.returned} | ${r.status} |`);
  l();
  l(
    `The same example over the whole year for the chat app: ${searched.broad.status} \`${searched.broad.code ?? ''}\` — “${searched.broad.message ?? ''}” (the read budget, docs/api.md).`,
  );
  l();
  l(
    `Write amplification of search on a converse turn: no index was added for it; the session item carries the insights and feedback summaries, so the same message append costs ${fmt(searched.summariesWcu.without, 0)} WCU on a session without them and ${fmt(searched.summariesWcu.with, 0)} WCU on one with insights and two feedback items.`,
  );
  l();
  for (const line of scaled.lines) l(line);
  l();
  l('## Targets missed: why, and what it would take');
  l();
  const handlerMisses = crud.rows.filter((r) => r.handlerP50 / r.handlerFloorP50 > 1.15 || r.handlerP99 / r.handlerFloorP99 > 1.15);
  if (handlerMisses.length)
    l(
      `- **CRUD, handler stack** (${handlerMisses.map((r) => `${r.name}: p50 ${fmt(r.handlerP50 / r.handlerFloorP50)}×, p99 ${fmt(r.handlerP99 / r.handlerFloorP99)}×`).join('; ')}): the differences are ${handlerMisses.map((r) => `${fmt(r.handlerP50 - r.handlerFloorP50)} ms at p50, ${fmt(r.handlerP99 - r.handlerFloorP99)} ms at p99`).join('; ')} over DynamoDB Local calls of ${handlerMisses.map((r) => fmt(r.handlerFloorP50)).join(', ')} ms at p50, where the handler's own work (token verification from the per-container cache, validation, ownership, the access log) adds a fraction of a millisecond; against DynamoDB's real latency from Lambda (several ms) the same work is well under the target. Between runs the p50 ratios move by a few hundredths and the p99 ratios by tenths (a p99 is the slowest few of 400 samples on a shared machine), so which rows miss at p99 changes from run to run.`,
    );
  l(
    '- **CRUD through the local HTTP server.** The handler stack itself is measured against the target above; through the local HTTP server the ratio also carries an HTTP round trip and the local event building (about 0.4–0.7 ms over a ~2 ms DynamoDB Local call). Token verification was the largest part of the handler stack in a CPU profile; verified tokens are now cached per container until their expiry. Closing the rest would need precompiled routing and validation in the local server, which does not run in AWS.',
  );
  if (missed.length)
    l(
      `- **Relay overhead ≤ 2 ms at p50** (in-process: ${missed.map((k) => `\`${k.kind}\` ${fmt(k.handlerFirst.p50 - k.floorFirst.p50)} ms`).join(', ')}). The floor holds exactly the DynamoDB requests an existing-session turn makes before the provider call (section 3: BatchGetItem, TransactWriteItems), so the overhead is CPU work: the handler stack (token verification, cached; validation; logging), the turn plan (config, cached; authorization; session attributes) and the SSE framing. Going below the floor would mean calling the agent before the user message is durable, which issue 18 rules out.`,
    );
  else l('- **Relay overhead ≤ 2 ms at p50**: met for every agent kind in this run.');
  if (!wcuOk)
    l(
      `- **Write cost per turn** (existing session at least ${fmt(steady.wcuBilledAtLeast, 0)} WCU billed, new session with title ${fmt(turn.wcuBilledAtLeast, 0)}; before the index work at least 74 and 52 billed, 74 and 46 as DynamoDB Local reported them; before the title joined the answer, 48 billed for a new session). Done: the indexes carry only what lists and search read (INCLUDE projections; lists read their page with one BatchGetItem), so the usage counters and turn bookkeeping a turn changes cost the indexes nothing; a turn re-sorts the lists once, in a single write outside its transactions (before: twice, inside both, where every index write is billed double); a new session's title is asked of the title model from its first message while the agent answers and joins the answer's transaction — the session's index entries are rewritten once, and the title's cost joins the answer's debit instead of a second set of aggregate writes (a new session's turn makes 2 write requests). For chat apps with insights, the pending insights status is written once per idle period instead of with every answer (the answer marks the session in the update it makes anyway and checks the status in its transaction; docs/data-model.md#generated-insights): 27 → 21 WCU as Local reports an existing-session turn. What remains: the user's own usage items (${steady.aggregateWrites} in the turn's transactions, 2 WCU each there) and the debit record the usage stream reads, the re-sort's delete and put in gsi1, gsi2 and gsi4, and the session item's size (over 1 KB with search summaries, written three times per turn). The shared totals left the turn for the usage stream (section 7), where a batch of up to 100 debits costs one write per shared item; what is left is per session and per user, so it costs money, not scale.`,
    );
  for (const m of scaled.misses) l(m);
  if (!scaled.misses.length) l('- **Scale (section 7)**: every target met in this run.');
  const coldMiss = coldStartMiss(coldResult);
  if (coldMiss) l(coldMiss);
  else l('- **Cold start**: met for every function in this run.');
  l();
  l('## Reproduce');
  l();
  l('`npm ci && npm run bench` (about a few minutes on 2 cores; `BENCH_QUICK=1 npm run bench` for a short run). Java is needed for DynamoDB Local.');
  writeFileSync(join(import.meta.dirname, '../docs/benchmarks.md'), `${lines.join('\n')}\n`);
  const colors = { direct: '#888888', floor: '#1f77b4', handler: '#ff7f0e', converse: '#d62728' };
  writeFileSync(
    join(import.meta.dirname, '../docs/benchmarks-ttfc.svg'),
    ttfcSvg(
      conv.kinds.map((k) => ({
        label: `${k.kind}: relay overhead (handler − floor) p50 ${fmt(k.handlerFirst.p50 - k.floorFirst.p50)} ms`,
        rows: [
          { label: 'direct SDK stream', samples: k.direct, color: colors.direct },
          { label: 'floor: direct + DynamoDB', samples: k.floor, color: colors.floor },
          { label: 'converse handler (in-process)', samples: k.handler, color: colors.handler },
          { label: 'POST /converse (local HTTP)', samples: k.api, color: colors.converse },
        ],
      })),
      `Time to first chunk per agent kind, ${conv.n} interleaved samples each (${quick ? 'BENCH_QUICK' : 'full run'})`,
    ),
  );
  log(`wrote docs/benchmarks.md in ${fmt(seconds, 0)} s`);
} finally {
  clearInterval(loadTimer);
  await stack.stop();
}
process.exit(0);
