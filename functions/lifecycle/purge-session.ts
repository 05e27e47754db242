/**
 * Deleting a session, however large (issue 27 item 5; docs/api.md#deleting-a-session): the route sends the
 * purge job first (durable), then deletes the session's META — from then on the session is gone from every
 * list and read — and deletes what it can in a bounded time; the job deletes the rest, page by page, its file
 * objects before their records, one queue message after the other until the partition is empty.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from '../data/client';
import { keys } from '../data/keys';
import { purgePartitionPage, sessionPartitionOf } from '../data/purge';
import { sendLifecycleJob } from './jobs';

/** Pages the route deletes itself before answering (the job does the rest): 1,000 items at most. */
export const INLINE_PURGE_PAGES = 2;

/** Objects of file records (absent ones are fine); the S3 code loads with the first one. */
export async function deleteFileObjects(objectKeys: string[]): Promise<void> {
  if (!objectKeys.length) return;
  await (await import('../files/storage-lifecycle')).deleteObjects(objectKeys);
}

/**
 * Everything in a session's partition but META, page by page until done or `deadlineMs`, then META: a session
 * stays findable (its index entries) until nothing else of it is left. `maxPages` bounds a request's share.
 */
export async function purgeWholeSession(
  sessionId: string,
  deadlineMs: number,
  maxPages = Number.POSITIVE_INFINITY,
): Promise<{ deleted: number; objects: number; done: boolean }> {
  let deleted = 0;
  let objects = 0;
  for (let pages = 0; ; ) {
    const page = await purgePartitionPage(sessionPartitionOf(sessionId), { keep: (sk) => sk === 'META', beforeDelete: deleteFileObjects });
    deleted += page.deleted;
    objects += page.objects.length;
    if (!page.more) break;
    if (++pages >= maxPages || Date.now() >= deadlineMs) return { deleted, objects, done: false };
  }
  const meta = await ddb().send(new DeleteCommand({ TableName: tableName(), Key: keys.session(sessionId), ReturnValues: 'ALL_OLD' }));
  return { deleted: deleted + (meta.Attributes ? 1 : 0), objects, done: true };
}

/** The job: pages until the deadline; more left: the same job again (its successor message). */
export async function runSessionPurge(sessionId: string, deadlineMs: number): Promise<'done' | 'continued'> {
  const r = await purgeWholeSession(sessionId, deadlineMs);
  if (r.done) return 'done';
  await sendLifecycleJob({ kind: 'purge-session', sessionId });
  return 'continued';
}

/**
 * The route's part (the caller checked the session and the right to delete it): the job sent (a failure: 503,
 * nothing deleted), META deleted (the session is gone from lists at once), then up to INLINE_PURGE_PAGES pages.
 */
export async function deleteSessionInBackground(sessionId: string): Promise<void> {
  await sendLifecycleJob({ kind: 'purge-session', sessionId });
  await ddb().send(new DeleteCommand({ TableName: tableName(), Key: keys.session(sessionId) }));
  await purgeWholeSession(sessionId, Date.now() + 5_000, INLINE_PURGE_PAGES);
}
