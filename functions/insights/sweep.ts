/**
 * The sweep (EventBridge schedule in AWS, an interval under `npm start`): the sessions whose latest activity
 * is due for insights, from one bounded Query page per shard of the sparse index (insights-status.ts), each
 * leased and sent as a job to the worker's queue. An activity queued MAX_ATTEMPTS times without an outcome
 * (its jobs keep failing and went to the dead-letter queue) is recorded as failed.
 */
import { giveUpDue, leaseDue, listDueInsights, type InsightsJob } from '../data/insights-status';
import { nowIso } from '../data/items';
import { config } from '../lib/config';

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

export async function sweepDueInsights(send: JobSender, nowMs = Date.now()): Promise<SweepResult> {
  const now = nowIso(nowMs);
  const due = await listDueInsights(now, SWEEP_PAGE);
  const jobs: InsightsJob[] = [];
  let gaveUp = 0;
  for (const e of due) {
    if (e.attempts >= MAX_ATTEMPTS) {
      if (await giveUpDue(e, { code: 'GAVE_UP', message: `Queued ${e.attempts} times without an outcome (see the dead-letter queue)` }, now)) gaveUp++;
      continue;
    }
    if (await leaseDue(e, nowIso(nowMs + leaseMs()))) jobs.push({ sessionId: e.sessionId, activity: e.activity, dueBy: now });
  }
  if (jobs.length) await send(jobs);
  return { due: due.length, queued: jobs.length, gaveUp };
}
