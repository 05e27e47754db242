/**
 * The retention sweep: for each session whose retention entry is due (functions/data/retention.ts), renew its
 * older items (active), note its files (idle) or delete its files and the items that would outlive it (expired).
 * Each step idempotent and conditioned on the entry as read (docs/retention.md).
 */
import { deleteObjects } from '../files/storage-lifecycle';
import {
  deleteItemsOutliving,
  deleteRetentionEntry,
  listDueRetention,
  moveRetentionEntry,
  renewSessionItems,
  retentionDueIso,
  type RetentionEntry,
  sessionExpiry,
  sessionFileKeys,
} from '../data/retention';
import { nowIso } from '../data/items';
import { logger } from '../platform/logger';

export type RetentionOutcome = 'renewed' | 'expiring' | 'expired' | 'kept' | 'unfinished';

/** Entries read per shard per run. */
export const RETENTION_PAGE = 25;

export async function sweepRetention(nowMs = Date.now(), opts: { untilMs?: number; limitPerShard?: number } = {}): Promise<Record<RetentionOutcome, number>> {
  const counts: Record<RetentionOutcome, number> = { renewed: 0, expiring: 0, expired: 0, kept: 0, unfinished: 0 };
  for (const entry of await listDueRetention(nowIso(nowMs), opts.limitPerShard ?? RETENTION_PAGE)) {
    if (opts.untilMs !== undefined && Date.now() > opts.untilMs) {
      counts.unfinished++;
      continue;
    }
    try {
      counts[await retainSession(entry, nowMs, opts.untilMs)]++;
    } catch (err) {
      // One session's failure (S3 or the table) does not stop the others: it stays due for the next run.
      logger.error('retention of a session failed; retried on the next run', { sessionId: entry.sessionId, errorName: (err as { name?: string })?.name });
      counts.unfinished++;
    }
  }
  return counts;
}

/** One due session (see the module's comment). */
export async function retainSession(entry: RetentionEntry, nowMs: number, untilMs?: number): Promise<RetentionOutcome> {
  const expiry = await sessionExpiry(entry.sessionId);
  const nowSec = Math.floor(nowMs / 1000);
  if (expiry === undefined) {
    // The session no longer expires (written without a TTL since): nothing of it is to be deleted.
    await deleteRetentionEntry(entry);
    return 'kept';
  }
  if (expiry === null || expiry <= nowSec) {
    await deleteObjects([...new Set([...entry.objects, ...(await sessionFileKeys(entry.sessionId))])]);
    if (!(await deleteItemsOutliving(entry.sessionId, expiry ?? entry.floor, untilMs))) return 'unfinished';
    await deleteRetentionEntry(entry);
    return 'expired';
  }
  if (expiry > entry.floor) {
    if (!(await renewSessionItems(entry.sessionId, expiry, untilMs))) return 'unfinished';
    await moveRetentionEntry(entry, { floor: expiry, dueIso: retentionDueIso(expiry, entry.retentionDays) });
    return 'renewed';
  }
  await moveRetentionEntry(entry, { dueIso: nowIso(expiry * 1000), objects: await sessionFileKeys(entry.sessionId) });
  return 'expiring';
}
