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
 * Everything is read a page at a time (Query/GetItem only, never Scan) and yielded line by line, so the
 * writer (files/export-objects.ts) holds at most one part in memory. Bookkeeping items (idempotency and
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
import { userMemoryRecords } from '../memory/user-memory';

export const EXPORT_FORMAT = 'pika-export-ndjson/1';

export type ExportLine = { type: string } & Record<string, unknown>;

const fileMetadata = (item: RawItem) => {
  const { s3Key: _s3Key, ...rest } = fromItem<RawItem>(item);
  return rest;
};

const feedbackOf = (item: RawItem) => {
  const { internalComments: _staff, ...rest } = fromItem<RawItem>(item);
  return rest;
};

/** One session's lines, or none when it is not the user's (an index entry is never trusted alone). */
async function* sessionLines(userId: string, sessionId: string): AsyncGenerator<ExportLine> {
  const session = await getSession(sessionId);
  if (!session || session.userId !== userId) return;
  yield { type: 'session', data: session };
  for await (const page of queryPages({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId) } })) {
    for (const item of page) {
      const sk = String(item.sk);
      if (sk.startsWith(MESSAGE_PREFIX)) yield { type: 'message', sessionId, data: fromItem(item) };
      else if (sk.startsWith(HIDDEN_MESSAGE_PREFIX)) yield { type: 'message', sessionId, hidden: true, data: fromItem(item) };
      else if (sk.startsWith(FEEDBACK_PREFIX)) yield { type: 'feedback', sessionId, data: feedbackOf(item) };
      else if (sk.startsWith(FILE_PREFIX)) yield { type: 'file', sessionId, data: fileMetadata(item) };
      else if (sk === keys.insights(sessionId).sk) yield { type: 'insights', sessionId, data: fromItem(item) };
    }
  }
}

/** The lines of the user's data (header and end included), a page at a time. */
export async function* exportLines(userId: string, header: { exportId: string; createdAt: string }): AsyncGenerator<ExportLine> {
  const counts: Record<string, number> = {};
  const counted = (line: ExportLine) => {
    counts[line.type] = (counts[line.type] ?? 0) + 1;
    return line;
  };
  yield { type: 'export', format: EXPORT_FORMAT, exportId: header.exportId, userId, createdAt: header.createdAt };
  const profile = await getUser(userId);
  if (profile) yield counted({ type: 'profile', data: profile });
  for await (const page of queryPages({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :w)',
    ExpressionAttributeValues: { ':pk': userPartition(userId), ':w': 'WIDGET#' },
  }))
    for (const item of page) yield counted({ type: 'widget', data: fromItem(item) });
  for await (const page of queryPages({
    IndexName: ACCESS.userSessions,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': userSessionsPartition(userId) },
    ProjectionExpression: 'sessionId',
  }))
    for (const { sessionId } of page) for await (const line of sessionLines(userId, String(sessionId))) yield counted(line);
  let cursor: Record<string, unknown> | undefined;
  const chatApps = new Set<string>();
  do {
    const page = await usageChatAppsPage(userId, cursor);
    for (const a of page.chatApps) chatApps.add(a);
    cursor = page.cursor;
  } while (cursor);
  for (const chatAppId of chatApps)
    for await (const page of queryPages({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': usageUserDaysPartition(userId, chatAppId) },
    }))
      for (const item of page) yield counted({ type: 'usage', chatAppId, bucket: item.sk, data: fromItem(item) });
  for await (const record of userMemoryRecords(userId)) yield counted({ type: 'memoryRecord', data: record });
  yield { type: 'end', counts };
}
