/**
 * Does cost grow with history? list-sessions and list-messages latency with small and large partitions,
 * and message-append latency as a session grows.
 */
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from '../functions/data/client';
import { keys } from '../functions/data/keys';
import { appendMessage } from '../functions/data/messages';
import { createSession } from '../functions/data/sessions';
import type { BenchStack } from './stack';
import { median, percentile, time } from './stats';

/** Seeds `count` messages straight into a session partition (BatchWrite of 25, unprocessed retried). */
async function seedMessages(userId: string, sessionId: string, count: number) {
  const base = Date.now() - count * 10;
  const write = async (chunk: Record<string, unknown>[]) => {
    let items = chunk.map((Item) => ({ PutRequest: { Item } }));
    while (items.length) {
      const out = await ddb().send(new BatchWriteCommand({ RequestItems: { [tableName()]: items } }));
      items = (out.UnprocessedItems?.[tableName()] ?? []) as typeof items;
    }
  };
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < count; i += 25) {
    chunks.push(
      Array.from({ length: Math.min(25, count - i) }, (_, j) => {
        const n = i + j;
        const messageId = `${(base + n).toString(36).padStart(10, '0')}${String(n).padStart(16, '0')}`.toUpperCase();
        return {
          ...keys.message(sessionId, messageId),
          userId,
          sessionId,
          messageId,
          role: 'user',
          content: `seeded message ${n}`,
          createDate: new Date(base + n * 10).toISOString(),
        };
      }),
    );
  }
  for (let i = 0; i < chunks.length; i += 8) await Promise.all(chunks.slice(i, i + 8).map(write));
}

/** Items actually in the partition (Select COUNT, paginated): the figure reports what was measured. */
async function countMessages(sessionId: string): Promise<number> {
  let total = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ddb().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
        ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId), ':m': 'MSG#' },
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    total += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return total;
}

async function seedSessions(userId: string, count: number) {
  for (let i = 0; i < count; i += 20)
    await Promise.all(Array.from({ length: Math.min(20, count - i) }, () => createSession({ userId, chatAppId: 'demo', agentId: 'echo' })));
}

export async function scaling(stack: BenchStack, sizes: number[], samples: number) {
  const rows: { size: number; listMessagesP50: number; listSessionsP50: number; seedSeconds: number }[] = [];
  for (const size of sizes) {
    const userId = `scale-${size}`;
    const t = await stack.token(userId);
    const headers = { authorization: `Bearer ${t}` };
    const started = performance.now();
    const s = await createSession({ userId, chatAppId: 'demo', agentId: 'echo' });
    await seedMessages(userId, s.sessionId, size);
    await seedSessions(userId, Math.min(size, 1000));
    const seedSeconds = (performance.now() - started) / 1000;
    const stored = await countMessages(s.sessionId);
    if (stored !== size) throw new Error(`seeded ${stored} messages, wanted ${size}`);
    const lm: number[] = [];
    const ls: number[] = [];
    for (let i = 0; i < samples; i++) {
      lm.push(await time(() => fetch(`${stack.api.url}/sessions/${s.sessionId}/messages?limit=50`, { headers }).then((r) => r.text())));
      ls.push(await time(() => fetch(`${stack.api.url}/sessions?limit=20`, { headers }).then((r) => r.text())));
    }
    rows.push({ size, listMessagesP50: median(lm), listSessionsP50: median(ls), seedSeconds });
  }
  const userId = 'scale-append';
  const s = await createSession({ userId, chatAppId: 'demo', agentId: 'echo' });
  const appends: number[] = [];
  for (let i = 0; i < 1000; i++)
    appends.push(await time(() => appendMessage({ userId, sessionId: s.sessionId, role: 'user', content: `append ${i}`, source: 'user' })));
  return {
    rows,
    appendFirst100: { p50: median(appends.slice(0, 100)), p99: percentile(appends.slice(0, 100), 99) },
    appendLast100: { p50: median(appends.slice(-100)), p99: percentile(appends.slice(-100), 99) },
  };
}
