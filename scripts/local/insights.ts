/**
 * Generated insights on the local stack: the sweep and the worker in-process (no SQS). A sweep's jobs are
 * handed to the worker's Lambda handler as an SQS event, so the local run exercises the same handler,
 * batch-item failures included (a failed job is due again after the sweep's lease, as in AWS).
 */
import type { SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InsightsJob } from '../../functions/data/insights-status';
import { handler as worker } from '../../functions/handlers/insights-worker';
import { sweepDueInsights, type SweepResult } from '../../functions/insights/sweep';
import { verifyAuthorizationHeader } from '../../functions/http/auth';
import { httpErrorOf } from '../../functions/http/errors';
import { config } from '../../functions/platform/config';
import { forbidden } from '../../functions/platform/errors';
import { Principal } from '../../functions/policy/principal';

/** An SQS event of these jobs, as Lambda's event source would deliver it. */
export function sqsEventOf(jobs: InsightsJob[]): SQSEvent {
  return {
    Records: jobs.map((job) => ({
      messageId: randomUUID(),
      receiptHandle: 'local',
      body: JSON.stringify(job),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:insights',
      awsRegion: 'local',
    })),
  };
}

export interface LocalSweepResult extends SweepResult {
  failedJobs: number;
}

/** One sweep; its jobs run through the worker handler before this returns. */
export async function runLocalInsightsSweep(nowMs = Date.now()): Promise<LocalSweepResult> {
  let failedJobs = 0;
  const result = await sweepDueInsights(async (jobs) => {
    failedJobs += (await worker(sqsEventOf(jobs))).batchItemFailures.length;
  }, nowMs);
  return { ...result, failedJobs };
}

/** npm start: a sweep every INSIGHTS_SWEEP_SECONDS (never two at once). */
export function startInsightsLoop(log: (line: string) => void = () => undefined): { stop(): void } {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const r = await runLocalInsightsSweep();
      if (r.due) log(`insights sweep: ${r.due} due, ${r.queued} generated or skipped, ${r.failedJobs} failed, ${r.gaveUp} given up`);
    } catch (err) {
      log(`insights sweep failed: ${(err as Error).message}`);
    } finally {
      running = false;
    }
  }, config().INSIGHTS_SWEEP_SECONDS * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * npm start's pages: POST /_local/insights/sweep runs a sweep now (`npm run insights`), for a site admin only
 * (a dev token with the site-admin role, verified as every route verifies it): 401 without a valid token, 403
 * for anyone else. `sweep` is the local sweep (a test passes its own).
 */
export function localInsightsPages(
  next: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>,
  sweep: () => Promise<LocalSweepResult> = () => runLocalInsightsSweep(),
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://localhost').pathname !== '/_local/insights/sweep') return next(req, res);
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const principal = new Principal(await verifyAuthorizationHeader(req.headers.authorization));
      if (!(await principal.isSiteAdmin())) throw forbidden('Only a site admin runs the insights sweep');
    } catch (err) {
      const refused = httpErrorOf(err);
      answer(refused.status, refused.body);
      return true;
    }
    answer(200, await sweep());
    return true;
  };
}
