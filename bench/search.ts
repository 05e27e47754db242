/**
 * Session search (issue 15): the spec's own example — chatAppId + customUserData + a created-date range +
 * includeInsights, sorted by createDate descending, 20 per page — over 100 000 sessions of one chat app, for a
 * content admin and for a user, through the HTTP API: latency and the read capacity it consumed. Plus what
 * search costs a converse turn: no index was added, so its only write amplification is the summaries on the
 * session item, measured as the WCU of the same message append on a session with and without them.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from '../functions/data/client';
import { createFeedback } from '../functions/data/feedback';
import { putInsights } from '../functions/data/insights';
import { appendMessage } from '../functions/data/messages';
import { newSessionItem } from '../functions/data/sessions';
import { sampleInsights } from '../test/data/fixtures';
import type { BenchStack } from './stack';
import { percentile } from './stats';

const APP = 'bench-search';
const USERS = 1000;
const DAY_MS = 86_400_000;
const START_MS = Date.parse('2025-01-01T00:00:00.000Z');

let capacity: { rcu: number; wcu: number } | undefined;
let tapped: ReturnType<typeof ddb> | undefined;
/** Sums the capacity DynamoDB Local reports for the handlers' requests while `capacity` is set. */
function tap() {
  if (tapped === ddb()) return;
  tapped = ddb();
  tapped.middlewareStack.add(
    ((next: any, context: any) => async (args: any) => {
      if (capacity) args.input.ReturnConsumedCapacity = 'TOTAL';
      const out = (await next(args)) as { output: { ConsumedCapacity?: unknown } };
      if (capacity) {
        for (const c of [out.output.ConsumedCapacity].flat().filter(Boolean) as {
          ReadCapacityUnits?: number;
          WriteCapacityUnits?: number;
          CapacityUnits?: number;
        }[]) {
          const write = /Write|Put|Update|Delete/.test(String(context.commandName));
          capacity.rcu += c.ReadCapacityUnits ?? (write ? 0 : (c.CapacityUnits ?? 0));
          capacity.wcu += c.WriteCapacityUnits ?? (write ? (c.CapacityUnits ?? 0) : 0);
        }
      }
      return out;
    }) as never,
    { step: 'initialize', name: 'benchSearchCapacity' },
  );
}

/** 100 000 sessions (or `count`) of one chat app over a year, 1 000 users, written with BatchWriteItem. */
async function seed(count: number) {
  const items = Array.from({ length: count }, (_, i) => {
    const { item } = newSessionItem(
      {
        userId: `search-user-${i % USERS}`,
        chatAppId: APP,
        agentId: 'echo',
        title: `Question ${i}`,
        customData: { accountId: `acct-${i % 50}`, context: ['order-inquiry', 'billing', 'other'][i % 3]! },
      },
      `srch-${String(i).padStart(7, '0')}`,
      START_MS + Math.floor((i * 365 * DAY_MS) / count),
    );
    return item;
  });
  const write = async (chunk: Record<string, unknown>[]) => {
    let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length) {
      const out = await ddb().send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
      requests = (out.UnprocessedItems?.[tableName()] ?? []) as typeof requests;
    }
  };
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  for (let i = 0; i < chunks.length; i += 8) await Promise.all(chunks.slice(i, i + 8).map(write));
}

export interface SearchResult {
  sessions: number;
  seedSeconds: number;
  rows: { name: string; p50: number; p99: number; rcu: number; returned: number; status: number }[];
  broad: { status: number; code?: string; message?: string };
  summariesWcu: { without: number; with: number };
}

export async function searchBench(stack: BenchStack, count: number, samples: number): Promise<SearchResult> {
  const started = performance.now();
  await seed(count);
  const seedSeconds = (performance.now() - started) / 1000;
  const admin = await stack.token('bench-search-admin', ['pika:content-admin']);
  const user = 'search-user-7';
  const userToken = await stack.token(user);
  const day = (n: number) => new Date(START_MS + n * DAY_MS).toISOString();
  // The spec's example: one account's order inquiries created in a range, newest first, with insights.
  const example = (startDay: number, days: number, extra: Record<string, unknown> = {}) => ({
    chatAppId: APP,
    customUserData: { accountId: 'acct-7', context: 'order-inquiry' },
    dateFilter: { dateType: 'created', startDate: day(startDay), endDate: day(startDay + days) },
    includeInsights: true,
    sortBy: [{ field: 'createDate', order: 'desc' }],
    size: 20,
    ...extra,
  });
  const search = (token: string, body: unknown) =>
    fetch(`${stack.api.url}/sessions/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  tap();
  const cases: [string, string, unknown][] = [
    [`content admin: the example over 3 days (≈ ${Math.round((count * 3) / 365)} of the app's sessions in range)`, admin, example(100, 3)],
    [`content admin: the example over 1 day (≈ ${Math.round(count / 365)})`, admin, example(200, 1)],
    [`user: the example over the whole year (their own ${count / USERS} sessions)`, userToken, example(0, 365, { userId: user })],
  ];
  const rows: SearchResult['rows'] = [];
  for (const [name, token, body] of cases) {
    const times: number[] = [];
    let rcu = 0;
    let returned = 0;
    let status = 0;
    for (let i = 0; i < samples; i++) {
      capacity = { rcu: 0, wcu: 0 };
      const t0 = performance.now();
      const res = await search(token, body);
      const json = (await res.json()) as { sessions?: unknown[] };
      times.push(performance.now() - t0);
      rcu = capacity.rcu;
      capacity = undefined;
      status = res.status;
      returned = json.sessions?.length ?? 0;
    }
    rows.push({ name, p50: percentile(times, 50), p99: percentile(times, 99), rcu, returned, status });
  }
  const broadRes = await search(admin, example(0, 365));
  const broadJson = (await broadRes.json()) as { error?: { code?: string; message?: string } };
  const broad = {
    status: broadRes.status,
    ...(broadJson.error?.code ? { code: broadJson.error.code } : {}),
    ...(broadJson.error?.message ? { message: broadJson.error.message } : {}),
  };

  // Write amplification: the same message append on a session without and with its search summaries.
  const plain = `srch-${String(1).padStart(7, '0')}`;
  const summarized = `srch-${String(2).padStart(7, '0')}`;
  await putInsights(summarized, sampleInsights('bench'));
  for (let i = 0; i < 2; i++)
    await createFeedback({
      sessionId: summarized,
      userId: 'search-user-2',
      type: 'other',
      severity: 'low',
      title: 't',
      description: 'd',
      reportedByHuman: true,
      createdByCustomer: true,
    });
  const appendWcu = async (sessionId: string, userId: string) => {
    capacity = { rcu: 0, wcu: 0 };
    await appendMessage({ userId, sessionId, role: 'user', content: 'a turn', source: 'user' });
    const w = capacity.wcu;
    capacity = undefined;
    return w;
  };
  const summariesWcu = { without: await appendWcu(plain, 'search-user-1'), with: await appendWcu(summarized, 'search-user-2') };
  return { sessions: count, seedSeconds, rows, broad, summariesWcu };
}
