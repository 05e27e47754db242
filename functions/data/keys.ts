/**
 * Every key of the single table is built here and nowhere else (docs/data-model.md explains them).
 * Ids are validated by the schemas to a charset without '#', so '#' is a safe separator.
 */

import { createHash } from 'node:crypto';
import { config } from '../platform/config';

/** Write-sharding for index partitions that would otherwise be hot (a busy chat app, a feedback status). */
export const INDEX_SHARDS = 4;

/** FNV-1a, stable across processes: the shard of an item never changes for the same id. */
export function shardOf(id: string, shards = INDEX_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export const allShards = (): number[] => Array.from({ length: INDEX_SHARDS }, (_, i) => i);

/** Shards of a chat app's session indexes (gsi3/gsi4): a stage setting, sized for its turn rate (docs/scaling.md). */
export const sessionIndexShards = (): number => config().SESSION_INDEX_SHARDS;
export const allSessionShards = (): number[] => Array.from({ length: sessionIndexShards() }, (_, i) => i);

/**
 * A user id as a key part. Ids are validated to a charset without '#' (USER_ID_PATTERN), and this encoding
 * ('%' and '#' percent-encoded) keeps the separator impossible to inject even if one slipped through; for
 * every valid id it is the identity, so existing keys never change.
 */
export const userPart = (userId: string): string => userId.replaceAll('%', '%25').replaceAll('#', '%23');

/**
 * The session of a conversation a client names (AI SDK chat `id`, AG-UI `threadId`; docs/converse.md#client-conversation-ids):
 * derived from the user and that id, so the same id from two users is two sessions and no user can name
 * another's. 'c-' + 128 bits of SHA-256 in hex: a valid session id (idSchema) whatever the client's id is.
 */
export const conversationSessionId = (userId: string, conversationId: string): string =>
  `c-${createHash('sha256')
    .update(`${userPart(userId)}\n${conversationId}`)
    .digest('hex')
    .slice(0, 32)}`;

/** Minimum userId prefix length for the admin user search; also the length of the index bucket. */
export const USER_PREFIX_BUCKET_LENGTH = 3;

export const keys = {
  user: (userId: string) => ({ pk: `USER#${userPart(userId)}`, sk: 'PROFILE' }),
  /** gsi1: users bucketed by the first characters of their lower-cased id, sorted by it. */
  userPrefixIndex: (userId: string) => {
    const lower = userPart(userId).toLowerCase();
    return { gsi1pk: userPrefixPartition(lower), gsi1sk: lower };
  },

  session: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'META' }),
  /** The index keys a session carries; recomputed whenever lastUpdate moves. */
  sessionIndexes: (s: { userId: string; sessionId: string; chatAppId: string; createDate: string; lastUpdate: string }) => {
    const shard = shardOf(s.sessionId, sessionIndexShards());
    return {
      gsi1pk: userSessionsPartition(s.userId),
      gsi1sk: `${s.lastUpdate}#${s.sessionId}`,
      gsi2pk: userAppSessionsPartition(s.userId, s.chatAppId),
      gsi2sk: `${s.lastUpdate}#${s.sessionId}`,
      gsi3pk: appSessionsByCreatedPartition(s.chatAppId, shard),
      gsi3sk: `${s.createDate}#${s.sessionId}`,
      gsi4pk: appSessionsByUpdatedPartition(s.chatAppId, shard),
      gsi4sk: `${s.lastUpdate}#${s.sessionId}`,
    };
  },
  /** The sort-key values of the lastUpdate-ordered indexes, for an UpdateExpression that moves lastUpdate. */
  sessionActivitySortKey: (lastUpdate: string, sessionId: string) => `${lastUpdate}#${sessionId}`,

  /** Every item that belongs to a session lives in its partition: one Query finds them all. */
  sessionPartition: (sessionId: string) => `SESSION#${sessionId}`,
  /** Hidden messages (source 'component') use another sk prefix: the user's history Query never reads them. */
  message: (sessionId: string, messageId: string, hidden = false) => ({
    pk: `SESSION#${sessionId}`,
    sk: `${hidden ? HIDDEN_MESSAGE_PREFIX : MESSAGE_PREFIX}${messageId}`,
  }),
  feedback: (sessionId: string, feedbackId: string) => ({ pk: `SESSION#${sessionId}`, sk: `${FEEDBACK_PREFIX}${feedbackId}` }),
  feedbackIndex: (f: { feedbackId: string; status: string; createDate: string }) => ({
    gsi1pk: feedbackStatusPartition(f.status, shardOf(f.feedbackId)),
    gsi1sk: `${f.createDate}#${f.feedbackId}`,
  }),
  insights: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'INSIGHTS' }),
  /** A file uploaded to a session (its S3 object is `fileObjectKey`). */
  file: (sessionId: string, fileId: string) => ({ pk: `SESSION#${sessionId}`, sk: `${FILE_PREFIX}${fileId}` }),
  /** Where the session's generated insights stand (insights-status.ts); in gsi1 only while due. */
  insightsStatus: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'INSIGHTS_STATUS' }),
  /** gsi1: sessions whose latest activity awaits insights, sharded, by the time they count as idle. */
  insightsDueIndex: (sessionId: string, dueIso: string) => ({ gsi1pk: insightsDuePartition(shardOf(sessionId)), gsi1sk: `${dueIso}#${sessionId}` }),
  /** The session's retention entry (retention.ts): until when its items are all kept; in gsi1 by when the sweep looks again. */
  retention: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'RETENTION' }),
  retentionDueIndex: (sessionId: string, dueIso: string) => ({ gsi1pk: retentionDuePartition(shardOf(sessionId)), gsi1sk: `${dueIso}#${sessionId}` }),
  /** Idempotency record of a converse turn (client message id or Idempotency-Key). */
  idempotency: (sessionId: string, key: string) => ({ pk: `SESSION#${sessionId}`, sk: `IDEMP#${key}` }),

  /** When the user last asked their memory to be forgotten (memory-marks.ts): a running turn checks it before it remembers. */
  memoryForgotten: (userId: string) => ({ pk: `USER#${userPart(userId)}`, sk: 'MEMORY_FORGOTTEN' }),
  /** A user's erasure (erasure.ts): the job's record while it runs, and all that is left of the user after it. */
  erasure: (userId: string) => ({ pk: `USER#${userPart(userId)}`, sk: ERASURE_SK }),
  /** An export of the user's data (exports.ts), and the one running export's lock (a user runs one at a time). */
  exportRecord: (userId: string, exportId: string) => ({ pk: `USER#${userPart(userId)}`, sk: `${EXPORT_PREFIX}${exportId}` }),
  exportLock: (userId: string) => ({ pk: `USER#${userPart(userId)}`, sk: 'EXPORT_RUNNING' }),
  widgetData: (userId: string, scope: string, tag: string) => ({ pk: `USER#${userPart(userId)}`, sk: `WIDGET#${scope}#${tag}` }),

  chatApp: (chatAppId: string) => ({ pk: `CHATAPP#${chatAppId}`, sk: 'CONFIG' }),
  agent: (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: 'CONFIG' }),

  /**
   * Usage (usage-aggregates.ts; docs/data-model.md#usage-and-budgets). Shared totals — a chat app's own day/month
   * buckets (`D#<day>`, `M#<month>`) and the entities and agents of one chat app and bucket — are written only
   * by the usage stream consumer, never by a request. A user's own day/month items live in the user's partition
   * and are written in the turn's transactions (budget reservation and settlement).
   */
  usageChatApp: (chatAppId: string, bucket: string) => ({ pk: usageChatAppPartition(chatAppId), sk: bucket }),
  usageDimension: (chatAppId: string, bucket: string, dimension: UsageDimension, id: string) => ({
    pk: usageBucketPartition(chatAppId, bucket),
    sk: `${dimension}#${userPart(id)}`,
  }),
  /** A user's day / month in a chat app: in the user's own partition (their usage report is one Query). */
  usageUserDay: (userId: string, chatAppId: string, day: string) => ({ pk: usageUserDaysPartition(userId, chatAppId), sk: `D#${day}` }),
  usageUserMonth: (userId: string, month: string, chatAppId: string) => ({ pk: usageUserDaysPartition(userId, chatAppId), sk: `M#${month}` }),
  /** gsi2: the user's chat apps of a month (their budget overview). */
  usageUserMonthIndex: (userId: string, month: string, chatAppId: string) => ({ gsi2pk: usageUserMonthsPartition(userId), gsi2sk: `M#${month}#${chatAppId}` }),
  /** gsi3: the users of a chat app and bucket (top users by cost), sharded by user: no partition every user writes. */
  usageUserRankIndex: (userId: string, chatAppId: string, bucket: string) => ({
    gsi3pk: usageUserRankPartition(chatAppId, bucket, shardOf(userId, USAGE_RANK_SHARDS)),
    gsi3sk: `U#${userPart(userId)}`,
  }),
  /** Before 0.2 a user's items lived in the chat app's bucket partition; budgets and reports still read them. */
  legacyUsageUser: (userId: string, chatAppId: string, bucket: string) => ({ pk: usageBucketPartition(chatAppId, bucket), sk: `U#${userPart(userId)}` }),
  /** What one turn (or a title, or insights) spent, in its session's partition: the usage stream's input. */
  usageDebit: (sessionId: string, debitId: string) => ({ pk: `SESSION#${sessionId}`, sk: `${DEBIT_PREFIX}${debitId}` }),
  /** That a debit reached the shared totals: written with them, once (its own partition: never hot). */
  usageDebitApplied: (debitId: string) => ({ pk: `DEBITED#${debitId}`, sk: 'APPLIED' }),
  /** A per-user or per-entity budget override of a chat app (budgets.ts). */
  budgetOverride: (chatAppId: string, level: 'user' | 'entity', id: string) => ({
    pk: `BUDGET#A#${chatAppId}`,
    sk: `${level === 'user' ? 'U' : 'E'}#${userPart(id)}`,
  }),

  /** Fixed-window rate-limit counter (expires through TTL). */
  rateLimit: (userId: string, bucket: string, window: string) => ({ pk: `RATE#${userPart(userId)}`, sk: `${bucket}#${window}` }),
} as const;

export const MESSAGE_PREFIX = 'MSG#';
export const ERASURE_SK = 'ERASURE';
export const HIDDEN_MESSAGE_PREFIX = 'HMSG#';
export const FEEDBACK_PREFIX = 'FEEDBACK#';
export const FILE_PREFIX = 'FILE#';
export const EXPORT_PREFIX = 'EXPORT#';
export const DEBIT_PREFIX = 'DEBIT#';
/** Every uploaded object's key starts with this (the functions' S3 permissions are scoped to it). */
export const FILE_OBJECT_PREFIX = 'files/';
/** The S3 key of an uploaded file: under its owner's prefix, then the session's. */
export const fileObjectKey = (userId: string, sessionId: string, fileId: string) => `${FILE_OBJECT_PREFIX}${encodeURIComponent(userId)}/${sessionId}/${fileId}`;

/** Every export document is under this prefix of the files bucket (its own lifecycle rule and grants). */
export const EXPORT_OBJECT_PREFIX = 'exports/';
/** Every export of a user is under this prefix; one object per export. */
export const userExportsPrefix = (userId: string) => `${EXPORT_OBJECT_PREFIX}${encodeURIComponent(userId)}/`;
export const exportObjectKey = (userId: string, exportId: string) => `${userExportsPrefix(userId)}${exportId}.ndjson`;

/** A user's own partition: profile, widget data, memory mark, erasure record. */
export const userPartition = (userId: string) => `USER#${userPart(userId)}`;
export const rateLimitPartition = (userId: string) => `RATE#${userPart(userId)}`;
/** Every object of a user's files (all their sessions, deleted ones included) is under this prefix. */
export const userFilesPrefix = (userId: string) => `${FILE_OBJECT_PREFIX}${encodeURIComponent(userId)}/`;
export const userPrefixPartition = (lowerPrefix: string) => `UIDX#${lowerPrefix.slice(0, USER_PREFIX_BUCKET_LENGTH)}`;
export const userSessionsPartition = (userId: string) => `USER#${userPart(userId)}`;
export const userAppSessionsPartition = (userId: string, chatAppId: string) => `USER#${userPart(userId)}#APP#${chatAppId}`;
export const appSessionsByCreatedPartition = (chatAppId: string, shard: number) => `APPC#${chatAppId}#${shard}`;
export const appSessionsByUpdatedPartition = (chatAppId: string, shard: number) => `APPU#${chatAppId}#${shard}`;
export const feedbackStatusPartition = (status: string, shard: number) => `FB#${status}#${shard}`;
export const insightsDuePartition = (shard: number) => `INSDUE#${shard}`;
export const retentionDuePartition = (shard: number) => `RETDUE#${shard}`;

/** The sort-key prefix of a usage dimension inside a chat app's bucket partition. */
export type UsageDimension = 'U' | 'E' | 'G';
export const usageChatAppPartition = (chatAppId: string) => `USAGE#A#${chatAppId}`;
export const usageBucketPartition = (chatAppId: string, bucket: string) => `USAGE#A#${chatAppId}#${bucket}`;
export const usageUserDaysPartition = (userId: string, chatAppId: string) => `USAGE#U#${userPart(userId)}#A#${chatAppId}`;
export const usageUserMonthsPartition = (userId: string) => `USAGE#U#${userPart(userId)}`;
export const usageUserRankPartition = (chatAppId: string, bucket: string, shard: number) => `USAGE#A#${chatAppId}#${bucket}#U#${shard}`;
/** Shards of a bucket's user ranking (gsi3): its writes happen once per user and bucket, so 16 is ample. */
export const USAGE_RANK_SHARDS = 16;

/** Attributes that are keys, not data: stripped before an item leaves the data layer. */
export const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk'] as const;
