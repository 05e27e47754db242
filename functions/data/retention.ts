/**
 * A session's retention entry, SESSION#s / RETENTION: its `floor` (no item of the session expires before) and a
 * sparse gsi1 due entry (`RETDUE#shard`) for the retention sweep (functions/retention/sweep.ts). Written with the
 * session, then by the sweep only (docs/retention.md).
 */
import { queryAllPages, queryPages } from './pagination';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dueEntries } from './due-index';
import { FILE_PREFIX, keys, retentionDuePartition } from './keys';
import { ddb, tableName } from './client';
import { updateExpression } from './expressions';
import { ANY_ITEM, nowIso, type RawItem } from './items';
import { isConditionFailure, updateIf } from './retry';
import { DAY_SECONDS } from './ttl';
import { TTL_ATTRIBUTE } from './table-definition';

/** The sweep looks at a session this long before its floor (at most half its retention). */
export const RETENTION_LEAD_SECONDS = DAY_SECONDS;
/** The entry (no content: ids, dates, file keys) outlives the session by this much, for the sweep to delete its files then. */
export const RETENTION_GRACE_SECONDS = DAY_SECONDS;
/** Parallel writes of one page (renewal, deletion). */
const CONCURRENCY = 16;

export interface RetentionEntry {
  sessionId: string;
  userId: string;
  /** Epoch seconds: no item of the session expires before. */
  floor: number;
  retentionDays: number;
  /** The gsi1 sort key it was read with (updates are conditioned on it). */
  dueKey: string;
  /** The session's file objects, noted when it went idle (its file records may expire before the sweep comes). */
  objects: string[];
}

/** When the sweep looks at a session whose items are all kept until `floor`. */
export function retentionDueIso(floor: number, retentionDays: number): string {
  return nowIso((floor - Math.min(RETENTION_LEAD_SECONDS, (retentionDays * DAY_SECONDS) / 2)) * 1000);
}

/** The entry a new session is written with (in the same write), when its chat app's sessions expire. */
export function retentionEntryItem(s: { sessionId: string; userId: string; chatAppId: string }, floor: number, retentionDays: number): RawItem {
  return {
    ...keys.retention(s.sessionId),
    ...keys.retentionDueIndex(s.sessionId, retentionDueIso(floor, retentionDays)),
    sessionId: s.sessionId,
    userId: s.userId,
    chatAppId: s.chatAppId,
    floor,
    retentionDays,
    [TTL_ATTRIBUTE]: floor + RETENTION_GRACE_SECONDS,
  };
}

const entryOf = (i: Record<string, unknown>): RetentionEntry => ({
  sessionId: String(i.sessionId),
  userId: String(i.userId),
  floor: Number(i.floor),
  retentionDays: Number(i.retentionDays),
  dueKey: String(i.gsi1sk),
  objects: Array.isArray(i.objects) ? i.objects.map(String) : [],
});

/**
 * Entries due by `nowIso`, oldest first, at most `limitPerShard` per shard (the rest waits for the next run);
 * each read whole (the index carries only its keys), still due as listed.
 */
export async function listDueRetention(nowIsoValue: string, limitPerShard: number): Promise<RetentionEntry[]> {
  const due = (await dueEntries(retentionDuePartition, nowIsoValue, limitPerShard)).map((i) => ({ sessionId: String(i.sessionId), dueKey: String(i.gsi1sk) }));
  const entries = await Promise.all(due.map(async (d) => ({ d, entry: await getRetentionEntry(d.sessionId) })));
  return entries.flatMap(({ d, entry }) => (entry && entry.dueKey === d.dueKey ? [entry] : []));
}

export async function getRetentionEntry(sessionId: string): Promise<RetentionEntry | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.retention(sessionId), ConsistentRead: true }));
  return out.Item ? entryOf(out.Item) : undefined;
}

/** What the sweep reads: a session's expiry (with its key, to tell one that never expires from one gone); each item's keys and expiry. */
const EXPIRY = ANY_ITEM.projection(TTL_ATTRIBUTE, 'pk');
const KEYS_AND_EXPIRY = ANY_ITEM.projection('pk', 'sk', TTL_ATTRIBUTE);

/** The session item's `expiresAt`: null when the session is gone, undefined when it never expires. */
export async function sessionExpiry(sessionId: string): Promise<number | null | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(sessionId), ConsistentRead: true, ...EXPIRY }));
  if (!out.Item) return null;
  const expiresAt = EXPIRY.read(out.Item)[TTL_ATTRIBUTE];
  return typeof expiresAt === 'number' ? expiresAt : undefined;
}

/** Items of a session the sweep leaves alone: the session item (the turns move it), records with a TTL of their own, the entry. */
const OWN_EXPIRY = [/^META$/, /^DEBIT#/, /^IDEMP#/, /^RETENTION$/];

/**
 * Moves every item of the session that would expire before `until` to `until` (a conditional UpdateItem each,
 * never backwards; an item deleted meanwhile is skipped). Resumable: false when `deadlineMs` came first —
 * what was moved stays moved, and the next run reads past it.
 */
export async function renewSessionItems(sessionId: string, until: number, deadlineMs?: number): Promise<boolean> {
  return forEachPage(
    sessionId,
    (i) => !OWN_EXPIRY.some((r) => r.test(i.sk)) && (i[TTL_ATTRIBUTE] === undefined || i[TTL_ATTRIBUTE] < until),
    (key) => renewItem(key, until),
    deadlineMs,
  );
}

/**
 * At the session's expiry: deletes its items that would outlive it (`expiresAt` after `cutoff`: feedback,
 * files or insights written after its last message); the rest is DynamoDB TTL's, at no cost. Resumable.
 */
export async function deleteItemsOutliving(sessionId: string, cutoff: number, deadlineMs?: number): Promise<boolean> {
  return forEachPage(
    sessionId,
    (i) => !OWN_EXPIRY.some((r) => r.test(i.sk)) && (i[TTL_ATTRIBUTE] === undefined || i[TTL_ATTRIBUTE] > cutoff),
    (key) =>
      ddb()
        .send(new DeleteCommand({ TableName: tableName(), Key: key }))
        .then(() => undefined),
    deadlineMs,
  );
}

/** Each item of the session's partition that `pick` selects, `act`ed on page by page; false when `deadlineMs` came first. */
async function forEachPage(
  sessionId: string,
  pick: (i: { sk: string; [TTL_ATTRIBUTE]?: number }) => boolean,
  act: (key: { pk: string; sk: string }) => Promise<void>,
  deadlineMs?: number,
): Promise<boolean> {
  for await (const page of queryPages({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId) },
    ...KEYS_AND_EXPIRY,
    ConsistentRead: true,
  })) {
    if (deadlineMs !== undefined && Date.now() > deadlineMs) return false;
    const picked = page.map(KEYS_AND_EXPIRY.read).filter(pick);
    for (let i = 0; i < picked.length; i += CONCURRENCY) {
      await Promise.all(picked.slice(i, i + CONCURRENCY).map(({ pk, sk }) => act({ pk, sk })));
    }
  }
  return true;
}

async function renewItem(key: { pk: string; sk: string }, until: number): Promise<void> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET #ttl = :u',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#ttl) OR #ttl < :u)',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':u': until },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

/** The S3 keys of the session's file records. */
export async function sessionFileKeys(sessionId: string): Promise<string[]> {
  const items = await queryAllPages({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :f)',
    ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId), ':f': FILE_PREFIX },
    ProjectionExpression: 's3Key',
    ConsistentRead: true,
  });
  return items.flatMap((i) => (typeof i.s3Key === 'string' ? [i.s3Key] : []));
}

/**
 * Moves the entry (conditioned on the due key it was read with: false when another run moved it): a new
 * floor (renewed), when to look again, the files noted for its expiry.
 */
export async function moveRetentionEntry(entry: RetentionEntry, next: { floor?: number; dueIso: string; objects?: string[] }): Promise<boolean> {
  const floor = next.floor ?? entry.floor;
  return updateIf(async () => {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.retention(entry.sessionId),
        ...updateExpression(
          {
            set: {
              ...keys.retentionDueIndex(entry.sessionId, next.dueIso),
              floor,
              [TTL_ATTRIBUTE]: Math.max(floor, Date.parse(next.dueIso) / 1000) + RETENTION_GRACE_SECONDS,
              objects: next.objects?.length ? next.objects : undefined,
            },
            remove: next.objects?.length ? [] : ['objects'],
          },
          { values: { ':seen': entry.dueKey } },
        ),
        ConditionExpression: 'gsi1sk = :seen',
      }),
    );
  });
}

export async function deleteRetentionEntry(entry: RetentionEntry): Promise<void> {
  try {
    await ddb().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.retention(entry.sessionId),
        ConditionExpression: 'gsi1sk = :seen',
        ExpressionAttributeValues: { ':seen': entry.dueKey },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}
