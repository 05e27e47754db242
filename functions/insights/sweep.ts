/**
 * The sweep (EventBridge schedule in AWS, an interval under `npm start`): the sessions whose latest activity
 * is due for insights, from one bounded Query page per shard of the sparse index (insights-status.ts), each
 * leased and sent as a job to the worker's queue. An activity queued MAX_ATTEMPTS times without an outcome
 * (its jobs keep failing and went to the dead-letter queue) is recorded as failed.
 */
import { giveUpDue, leaseDue, listDueInsights, type InsightsJob } from '../data/insights-status';
import { nowIso } from '../data/items';
import { config } from '../platform/config';

/** Entries read per shard and sweep (4 shards): the sweep's read cost is bounded; the rest waits for the next one. */
export const SWEEP_PAGE = 50;
/** A queued activity is not queued again before this (INSIGHTS_LEASE_SECONDS, longer than the queue's retries of one job). */
export const leaseMs = () => config().INSIGHTS_LEASE_SECONDS * 1000;
export const MAX_ATTEMPTS = 3;

export type JobSender = (jobs: InsightsJob[]) => Promise<void>;

export interface SweepResult {
  due: number;
  queued: number;
  gaveUp: number;
}

/** Leases taken at once within a round (each one conditional UpdateItem). */
const LEASE_CONCURRENCY = 10;

/**
 * Up to `rounds` pages per shard of the due index, each page leased and queued before the next is read (a leased
 * entry moves past now, so the next page holds the next due sessions); stops early when a round finds no full
 * page or leases nothing (the index is eventually consistent), or at `untilMs`.
 */
export async function sweepDueInsights(send: JobSender, nowMs = Date.now(), opts: { rounds?: number; untilMs?: number } = {}): Promise<SweepResult> {
  const total: SweepResult = { due: 0, queued: 0, gaveUp: 0 };
  for (let round = 0; round < (opts.rounds ?? 1); round++) {
    if (round > 0 && opts.untilMs !== undefined && Date.now() >= opts.untilMs) break;
    const { due, queued, gaveUp, full } = await sweepRound(send, nowMs);
    total.due += due;
    total.queued += queued;
    total.gaveUp += gaveUp;
    if (!full || queued + gaveUp === 0) break;
  }
  return total;
}

async function sweepRound(send: JobSender, nowMs: number): Promise<SweepResult & { full: boolean }> {
  const now = nowIso(nowMs);
  const due = await listDueInsights(now, SWEEP_PAGE);
  const jobs: InsightsJob[] = [];
  let gaveUp = 0;
  for (let i = 0; i < due.length; i += LEASE_CONCURRENCY) {
    await Promise.all(
      due.slice(i, i + LEASE_CONCURRENCY).map(async (e) => {
        if (e.attempts >= MAX_ATTEMPTS) {
          if (await giveUpDue(e, { code: 'GAVE_UP', message: `Queued ${e.attempts} times without an outcome (see the dead-letter queue)` }, now)) gaveUp++;
          return;
        }
        if (await leaseDue(e, nowIso(nowMs + leaseMs()))) jobs.push({ sessionId: e.sessionId, activity: e.activity, dueBy: now });
      }),
    );
  }
  if (jobs.length) await send(jobs);
  return { due: due.length, queued: jobs.length, gaveUp, full: due.length >= SWEEP_PAGE };
}
