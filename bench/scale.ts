/**
 * Scale (issue 25): the write path at 1,000 turns/s per chat app. The write plan of a turn (bench/scale-plan.ts);
 * then many users' turns in ONE chat app (each user its own session, one turn at a time) through the DynamoDB
 * front (scripts/local/dynamodb-front.ts, docs/dynamodb-front.md) — first with the front passing everything
 * (its conflicts and throttling off: the same hop, no contention), which measures the rate this machine reaches;
 * then through a front that conflicts and throttles, its per-partition limits divided by `scale` so that the
 * rate reached here stands for 1,000 turns/s. After each load: how every turn ended, what was stored, the
 * session counters against their messages, the shared totals after the usage stream against the turns; from
 * the front's counters, what each partition took per turn and the turn rate at which it reaches DynamoDB's
 * per-partition limits.
 */
import { ddb } from '../functions/data/client';
import { resetConfig } from '../functions/platform/config';
import { startDynamoDbFront, type DynamoDbFront, type DynamoDbFrontStats } from '../scripts/local/dynamodb-front';
import { converseTurn, keyClass, writePlan, type KeyClass, type TurnPlan } from './scale-plan';
import type { BenchStack } from './stack';
import { percentile } from './stats';

/** The production rate one chat app's load stands for. */
export const TARGET_TURNS_PER_SECOND = 1000;
/** DynamoDB's per-partition limits. */
export const PARTITION_WCU = 1000;
export const PARTITION_RCU = 3000;
/** The scale is chosen so that this share of the uncontended rate stands for the target (the front's holds slow turns). */
const MARGIN = 0.8;

export interface LoadRun {
  label: string;
  chatAppId: string;
  users: number;
  turnsPerUser: number;
  turns: number;
  seconds: number;
  turnsPerSecond: number;
  ttfc: { p50: number; p99: number };
  /** Debit written → added to the shared totals by the usage stream (polled every second, as the event source's 1 s batching window). */
  usageLag: { p50: number; p99: number; max: number; debits: number };
  ends: { done: number; error: number; none: number; refused: number };
  errorSamples: string[];
  stored: { questions: number; answers: number; duplicates: number; missing: number; sessionsChecked: number; countersMismatched: number };
  /** Turns less those that ended with `done` and whose question and answer are stored (whichever count is lower). */
  answersLost: number;
  shared: { turns: number; inputTokens: number; outputTokens: number; sessionsInputTokens: number; sessionsOutputTokens: number };
  front: DynamoDbFrontStats;
  /** Refusals the handlers' client met, attempt by attempt (retried by the SDK and the data layer), by the class of the refused item's key. */
  refused: Refusals;
}

/** `<class> <table|index> <throttle|conflict>` → items refused. */
export type Refusals = Record<string, number>;

export interface Ceiling {
  partition: string;
  keyClass: KeyClass;
  /** Units per turn of the chat app (shared) or per turn of the one user / session owning it. */
  perTurn: number;
  /** Turn rate at which this partition reaches its limit: of the chat app (shared), of its one user / session (else). */
  turnsPerSecond: number;
  /** Its units per second during the load through the front, as a share of its (scaled) limit there. */
  loadShare: number;
}

export interface ScaleResult {
  plan: TurnPlan[];
  scale: number;
  holdMs: number;
  off: LoadRun;
  on: LoadRun;
  /** The rate the load through the conflicting, throttling front stands for: its rate × scale. */
  standsFor: number;
  ceilings: { wcu: Ceiling[]; rcu: Ceiling[] };
  /** Units per turn over the whole load through the front (turns, the usage stream consumer, indexes). */
  perTurn: { wcu: number; rcu: number };
}

const jsonHeaders = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

/** A copy of the demo chat app with budgets (a user's daily limit: each turn reserves; the chat app's: each turn reads its totals). */
async function budgetedChatApp(stack: BenchStack, admin: string, chatAppId: string) {
  const demo = (await (await fetch(`${stack.api.url}/admin/chat-apps/demo`, { headers: jsonHeaders(admin) })).json()) as Record<string, unknown>;
  const { chatAppId: _id, createDate: _c, lastUpdate: _l, ...config } = demo;
  const r = await fetch(`${stack.api.url}/admin/chat-apps/${chatAppId}`, {
    method: 'PUT',
    headers: jsonHeaders(admin),
    body: JSON.stringify({ ...config, title: 'Scale', budgets: { user: { daily: { usd: 1000 } }, chatApp: { monthly: { usd: 1_000_000 } } } }),
  });
  if (r.status !== 200) throw new Error(`PUT chat app ${chatAppId}: ${r.status} ${await r.text()}`);
}

/** The handlers (and the usage stream consumer, which uses their client) reach DynamoDB through `endpoint`. */
function pointHandlersAt(endpoint: string) {
  Object.assign(process.env, { DYNAMODB_ENDPOINT: endpoint, AWS_ENDPOINT_URL_DYNAMODB: endpoint });
  resetConfig();
  ddb();
}

const pkOf = (x: any): string => String(x?.pk?.S ?? x?.pk ?? '');

/**
 * Counts, on every attempt (the deserialize step runs inside the SDK's retries), the items DynamoDB refused:
 * a transaction's cancellation reasons name them; a single request's error names its own key. A throttle on an
 * index is told by its message (the front answers DynamoDB's GSI message).
 */
function countRefusals(): { refused: Refusals; stop: () => void } {
  const refused: Refusals = {};
  const note = (pk: string, what: string, message = '') => {
    const k = `${keyClass(pk)} ${/secondary index/i.test(message) ? 'index' : 'table'} ${what}`;
    refused[k] = (refused[k] ?? 0) + 1;
  };
  const client = ddb();
  client.middlewareStack.add(
    ((next: any) => async (args: any) => {
      try {
        return await next(args);
      } catch (err) {
        const e = err as { name?: string; message?: string; CancellationReasons?: { Code?: string; Message?: string }[] };
        const input = args.input as Record<string, any>;
        if (e.name === 'TransactionCanceledException')
          (e.CancellationReasons ?? []).forEach((r, i) => {
            const item = input.TransactItems?.[i] ?? input.TransactItems?.[0];
            const body = item ? (Object.values(item)[0] as any) : undefined;
            if (r.Code === 'ThrottlingError') note(pkOf(body?.Key ?? body?.Item), 'throttle', r.Message);
            if (r.Code === 'TransactionConflict') note(pkOf(body?.Key ?? body?.Item), 'conflict');
          });
        else if (/Throttl|ProvisionedThroughput/.test(e.name ?? '')) note(pkOf(input.Key ?? input.Item), 'throttle', e.message);
        else if (e.name === 'TransactionConflictException') note(pkOf(input.Key ?? input.Item), 'conflict');
        throw err;
      }
    }) as never,
    { step: 'deserialize', priority: 'high', name: 'benchRefusals' },
  );
  return { refused, stop: () => client.middlewareStack.remove('benchRefusals') };
}

type Message = { messageId: string; role: string; content: string; usage?: { inputTokens?: number; outputTokens?: number } };

async function runLoad(
  stack: BenchStack,
  front: DynamoDbFront,
  admin: string,
  label: string,
  chatAppId: string,
  users: number,
  turnsPerUser: number,
): Promise<LoadRun> {
  const runId = Date.now().toString(36);
  const people = await Promise.all(
    Array.from({ length: users }, async (_, i) => {
      const userId = `bench-scale-${label}-${runId}-${i}`;
      const token = await stack.token(userId);
      // Created before the load: a throttle on the way is retried, not counted.
      let r: Response | undefined;
      for (let attempt = 0; attempt < 10 && !r?.ok; attempt++) {
        if (attempt) await new Promise((done) => setTimeout(done, 200 * attempt));
        r = await fetch(`${stack.api.url}/sessions`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ chatAppId, title: 'scale' }) });
      }
      const created = (await r!.json()) as { sessionId: string };
      if (!r!.ok) throw new Error(`creating a session: ${r!.status} ${JSON.stringify(created)}`);
      const { sessionId } = created;
      return { userId, token, sessionId, asked: [] as string[] };
    }),
  );
  await stack.settleUsage();
  front.resetStats();
  stack.usageStream.resetLags();
  const refusals = countRefusals();
  const ttfc: number[] = [];
  const ends = { done: 0, error: 0, none: 0, refused: 0 };
  const errorSamples: string[] = [];
  const t0 = performance.now();
  await Promise.all(
    people.map(async (p) => {
      for (let i = 0; i < turnsPerUser; i++) {
        const message = `scale ${label} turn ${i} of ${p.userId}`;
        p.asked.push(message);
        const r = await converseTurn(stack.api.url, p.token, { sessionId: p.sessionId, message }).catch((err: Error) => ({
          end: 'none' as const,
          firstChunkMs: NaN,
          error: `${err.name}: ${err.message}`,
        }));
        ends[r.end]++;
        if (Number.isFinite(r.firstChunkMs)) ttfc.push(r.firstChunkMs);
        if (r.end !== 'done' && errorSamples.length < 3) errorSamples.push(r.error);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const frontStats = front.stats();
  refusals.stop();
  front.setMode({ conflicts: false, throttling: false }); // the checks below are the bench's, not the load's
  await stack.settleUsage(); // what the poller had not read yet, as its next poll would
  const lags = [...stack.usageStream.lagsMs()];

  const stored = { questions: 0, answers: 0, duplicates: 0, missing: 0, sessionsChecked: 0, countersMismatched: 0 };
  const sessions = { inputTokens: 0, outputTokens: 0 };
  for (const p of people) {
    const items: Message[] = [];
    let cursor: string | undefined;
    do {
      const r = await fetch(`${stack.api.url}/sessions/${p.sessionId}/messages?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
        headers: jsonHeaders(p.token),
      });
      const page = (await r.json()) as { items: Message[]; nextCursor?: string };
      if (!r.ok) throw new Error(`reading ${p.sessionId}'s messages: ${r.status} ${JSON.stringify(page)}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    stored.duplicates += items.length - new Set(items.map((m) => m.messageId)).size;
    for (const q of p.asked) {
      const asked = items.filter((m) => m.role === 'user' && m.content === q);
      const at = items.indexOf(asked[0]!);
      const answer = at >= 0 ? items[at + 1] : undefined;
      if (asked.length === 1) stored.questions++;
      else if (asked.length > 1) stored.duplicates++;
      if (answer?.role === 'assistant' && answer.content.endsWith(q)) stored.answers++;
      else stored.missing++;
    }
    const session = (await (await fetch(`${stack.api.url}/sessions/${p.sessionId}`, { headers: jsonHeaders(p.token) })).json()) as {
      inputTokens?: number;
      outputTokens?: number;
    };
    const sum = items.reduce((s, m) => ({ i: s.i + (m.usage?.inputTokens ?? 0), o: s.o + (m.usage?.outputTokens ?? 0) }), { i: 0, o: 0 });
    stored.sessionsChecked++;
    if ((session.inputTokens ?? 0) !== sum.i || (session.outputTokens ?? 0) !== sum.o) stored.countersMismatched++;
    sessions.inputTokens += session.inputTokens ?? 0;
    sessions.outputTokens += session.outputTokens ?? 0;
  }
  await stack.settleUsage();
  const report = (await (await fetch(`${stack.api.url}/admin/usage?chatAppId=${chatAppId}`, { headers: jsonHeaders(admin) })).json()) as {
    totals: { turns: number; inputTokens: number; outputTokens: number };
  };
  const turns = users * turnsPerUser;
  return {
    label,
    chatAppId,
    users,
    turnsPerUser,
    turns,
    seconds,
    turnsPerSecond: turns / seconds,
    ttfc: { p50: percentile(ttfc, 50), p99: percentile(ttfc, 99) },
    usageLag: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: Math.max(...lags), debits: lags.length },
    ends,
    errorSamples,
    stored,
    answersLost: turns - ends.refused - Math.min(ends.done, stored.answers, stored.questions),
    shared: { ...report.totals, sessionsInputTokens: sessions.inputTokens, sessionsOutputTokens: sessions.outputTokens },
    front: frontStats,
    refused: refusals.refused,
  };
}

/** `table pk=VALUE` or `table/index/gsiN gsiNpk=VALUE` → its class, and units per turn → the turn rate at the limit. */
function ceilings(hot: { partition: string; units: number }[], run: LoadRun, scale: number, limit: number): Ceiling[] {
  return hot
    .map(({ partition, units }) => {
      const cls = keyClass(partition.slice(partition.indexOf('=') + 1));
      const perTurn = units / (cls === 'shared' ? run.turns : run.turnsPerUser);
      return { partition, keyClass: cls, perTurn, turnsPerSecond: limit / perTurn, loadShare: units / run.seconds / (limit / scale) };
    })
    .sort((a, b) => a.turnsPerSecond - b.turnsPerSecond);
}

export async function scaleBench(stack: BenchStack, quick: boolean): Promise<ScaleResult> {
  const admin = await stack.token('bench-scale-admin', ['pika:site-admin', 'pika:content-admin']);
  const [users, turnsPerUser] = quick ? [24, 4] : [40, 5];
  for (const id of ['bench-scale-plan', 'bench-scale-off', 'bench-scale-on']) await budgetedChatApp(stack, admin, id);
  const plan = await writePlan(stack, 'bench-scale-plan', 'bench-scale-plan-user');

  const direct = process.env.DYNAMODB_ENDPOINT!;
  const holdMs = 15;
  const fronts: DynamoDbFront[] = [];
  try {
    // The same hop, nothing refused: the rate this machine reaches, and the time to first chunk without contention.
    const passing = await startDynamoDbFront({ target: stack.db.endpoint, conflicts: false, throttling: false });
    fronts.push(passing);
    pointHandlersAt(passing.endpoint);
    const off = await runLoad(stack, passing, admin, 'off', 'bench-scale-off', users, turnsPerUser);
    // Limits divided so that MARGIN × that rate stands for the target.
    const scale = Math.ceil((10 * TARGET_TURNS_PER_SECOND) / (MARGIN * off.turnsPerSecond)) / 10;
    const front = await startDynamoDbFront({ target: stack.db.endpoint, holdMs, scale, topN: 100_000 });
    fronts.push(front);
    pointHandlersAt(front.endpoint);
    const on = await runLoad(stack, front, admin, 'on', 'bench-scale-on', users, turnsPerUser);
    return {
      plan,
      scale,
      holdMs,
      off,
      on,
      standsFor: on.turnsPerSecond * scale,
      ceilings: {
        wcu: ceilings(on.front.hotPartitions.wcu, on, scale, PARTITION_WCU),
        rcu: ceilings(on.front.hotPartitions.rcu, on, scale, PARTITION_RCU),
      },
      perTurn: { wcu: on.front.consumed.wcu / on.turns, rcu: on.front.consumed.rcu / on.turns },
    };
  } finally {
    pointHandlersAt(direct);
    for (const f of fronts) await f.stop();
  }
}
