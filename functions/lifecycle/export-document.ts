/**
 * What an export of a user's data holds (docs/security.md#export), one line of NDJSON per thing, in this order:
 *
 *   export        the header: format, exportId, userId, createdAt
 *   profile       the user item (names, custom data, roles, user type)
 *   widget        each widget data item of theirs
 *   session       each session of their session index (gsi1 `USER#u`), its owner checked, followed by its
 *     message     messages — hidden (component) messages too, marked `hidden: true`: the session is theirs
 *     feedback    the feedback on it, without staff's internal comments (the operators' notes, not the user's)
 *     file        its files' metadata (name, type, size, dates — the contents stay behind their file links)
 *     insights    the insights generated of it
 *   usage         their day and month usage items, per chat app
 *   memoryRecord  their records in every registered AgentCore memory
 *   end           the counts by kind: a document without it was cut short
 *
 * Everything is read a page at a time (Query/GetItem only, never Scan) and yielded line by line, each with the
 * cursor after it (where the document stands, and the counts so far), so the writer (files/export-objects.ts)
 * holds at most one part in memory and a job step can stop after any line and the next go on from its cursor.
 * A session that moves in the user's session index while the export runs (new activity) may come twice or not
 * at all; the document is of the data as the job met it. Bookkeeping items (idempotency and
 * debit records, retention and insights status entries, rate-limit counters, the erasure and export
 * records) are not the user's data and are left out; so are budget overrides (the operators' settings).
 */
import * as ACCESS from '../data/access-patterns';
import { fromItem, type RawItem } from '../data/items';
import {
  FEEDBACK_PREFIX,
  FILE_PREFIX,
  HIDDEN_MESSAGE_PREFIX,
  MESSAGE_PREFIX,
  keys,
  usageUserDaysPartition,
  userPartition,
  userSessionsPartition,
} from '../data/keys';
import { queryPages } from '../data/pagination';
import { getSession } from '../data/sessions';
import { usageChatAppsPage } from '../data/usage-erasure';
import { getUser } from '../data/users';
import { userMemoryRecords, type MemoryListPosition } from '../memory/user-memory';

export const EXPORT_FORMAT = 'pika-export-ndjson/1';

export type ExportLine = { type: string } & Record<string, unknown>;

type Key = Record<string, unknown>;

/** What comes next: `after` is the sort key of the last item written in the partition being read. */
export type ExportPosition =
  | { at: 'header' }
  | { at: 'profile' }
  | { at: 'widgets'; after?: string }
  /** `last`: the session index entry of the session in progress (`sessionId`) or of the last one done. */
  | { at: 'sessions'; last?: Key; sessionId?: string; after?: string }
  | { at: 'usage'; chatAppId?: string; after?: string }
  | ({ at: 'memory' } & MemoryListPosition)
  | { at: 'end' }
  | { at: 'done' };

export interface ExportCursor {
  position: ExportPosition;
  /** Lines written so far, by type. */
  counts: Record<string, number>;
}

export const EXPORT_START: ExportCursor = { position: { at: 'header' }, counts: {} };

const fileMetadata = (item: RawItem) => {
  const { s3Key: _s3Key, ...rest } = fromItem(item);
  return rest;
};

const feedbackOf = (item: RawItem) => {
  const { internalComments: _staff, ...rest } = fromItem(item);
  return rest;
};

/** A session's partition item as a line, or undefined for bookkeeping items. */
function sessionItemLine(sessionId: string, item: RawItem): ExportLine | undefined {
  const sk = String(item.sk);
  if (sk.startsWith(MESSAGE_PREFIX)) return { type: 'message', sessionId, data: fromItem(item) };
  if (sk.startsWith(HIDDEN_MESSAGE_PREFIX)) return { type: 'message', sessionId, hidden: true, data: fromItem(item) };
  if (sk.startsWith(FEEDBACK_PREFIX)) return { type: 'feedback', sessionId, data: feedbackOf(item) };
  if (sk.startsWith(FILE_PREFIX)) return { type: 'file', sessionId, data: fileMetadata(item) };
  if (sk === keys.insights(sessionId).sk) return { type: 'insights', sessionId, data: fromItem(item) };
  return undefined;
}

type Out = { line: ExportLine; position: ExportPosition };

/** One session's lines from `after` (undefined: from its session line); none when it is gone or not the user's. */
async function* sessionLines(userId: string, sessionId: string, last: Key, after?: string): AsyncGenerator<Out> {
  const session = await getSession(sessionId);
  if (!session || session.userId !== userId) return; // an index entry is never trusted alone
  if (after === undefined) yield { line: { type: 'session', data: session }, position: { at: 'sessions', last, sessionId, after: '' } };
  const pk = keys.sessionPartition(sessionId);
  for await (const page of queryPages({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
    ...(after ? { ExclusiveStartKey: { pk, sk: after } } : {}),
  })) {
    for (const item of page) {
      const line = sessionItemLine(sessionId, item);
      if (line) yield { line, position: { at: 'sessions', last, sessionId, after: String(item.sk) } };
    }
  }
}

/** The lines of a section from `p` on, each with the position after it. */
async function* section(userId: string, header: { exportId: string; createdAt: string }, p: ExportPosition): AsyncGenerator<Out> {
  switch (p.at) {
    case 'header':
      return yield {
        line: { type: 'export', format: EXPORT_FORMAT, exportId: header.exportId, userId, createdAt: header.createdAt },
        position: { at: 'profile' },
      };
    case 'profile': {
      const profile = await getUser(userId);
      if (profile) yield { line: { type: 'profile', data: profile }, position: { at: 'widgets' } };
      return;
    }
    case 'widgets': {
      const pk = userPartition(userId);
      for await (const page of queryPages({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :w)',
        ExpressionAttributeValues: { ':pk': pk, ':w': 'WIDGET#' },
        ...(p.after ? { ExclusiveStartKey: { pk, sk: p.after } } : {}),
      }))
        for (const item of page) yield { line: { type: 'widget', data: fromItem(item) }, position: { at: 'widgets', after: String(item.sk) } };
      return;
    }
    case 'sessions': {
      if (p.sessionId && p.last) yield* sessionLines(userId, p.sessionId, p.last, p.after);
      for await (const page of queryPages({
        IndexName: ACCESS.userSessions,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': userSessionsPartition(userId) },
        ProjectionExpression: 'pk, sk, gsi1pk, gsi1sk, sessionId',
        Limit: 25,
        ...(p.last ? { ExclusiveStartKey: p.last } : {}),
      }))
        for (const entry of page) {
          const { sessionId, ...last } = entry;
          yield* sessionLines(userId, String(sessionId), last);
        }
      return;
    }
    case 'usage': {
      const chatApps = new Set<string>();
      let cursor: Key | undefined;
      do {
        const page = await usageChatAppsPage(userId, cursor);
        for (const a of page.chatApps) chatApps.add(a);
        cursor = page.cursor;
      } while (cursor);
      for (const chatAppId of [...chatApps].sort()) {
        if (p.chatAppId && chatAppId < p.chatAppId) continue;
        const pk = usageUserDaysPartition(userId, chatAppId);
        const after = chatAppId === p.chatAppId ? p.after : undefined;
        for await (const page of queryPages({
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ...(after ? { ExclusiveStartKey: { pk, sk: after } } : {}),
        }))
          for (const item of page)
            yield { line: { type: 'usage', chatAppId, bucket: item.sk, data: fromItem(item) }, position: { at: 'usage', chatAppId, after: String(item.sk) } };
      }
      return;
    }
    case 'memory':
      for await (const { record, next } of userMemoryRecords(userId, p))
        yield { line: { type: 'memoryRecord', data: record }, position: { at: 'memory', ...next } };
      return;
    default:
      return;
  }
}

/** The section after each one (a section's last line leaves its own position: the next section starts fresh). */
const NEXT: Record<ExportPosition['at'], ExportPosition> = {
  header: { at: 'profile' },
  profile: { at: 'widgets' },
  widgets: { at: 'sessions' },
  sessions: { at: 'usage' },
  usage: { at: 'memory', m: 0, skip: 0 },
  memory: { at: 'end' },
  end: { at: 'done' },
  done: { at: 'done' },
};

/** The document's lines from `from` on (EXPORT_START: the whole document), each with the cursor after it. */
export async function* exportLines(
  userId: string,
  header: { exportId: string; createdAt: string },
  from: ExportCursor = EXPORT_START,
): AsyncGenerator<{ line: ExportLine; cursor: ExportCursor }> {
  const counts = { ...from.counts };
  for (let p = from.position; p.at !== 'done'; p = NEXT[p.at]) {
    if (p.at === 'end') {
      yield { line: { type: 'end', counts: { ...counts } }, cursor: { position: { at: 'done' }, counts } };
      return;
    }
    for await (const { line, position } of section(userId, header, p)) {
      if (line.type !== 'export') counts[line.type] = (counts[line.type] ?? 0) + 1;
      yield { line, cursor: { position, counts: { ...counts } } };
    }
  }
}
