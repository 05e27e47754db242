/**
 * The lifecycle worker (SQS): one job step per message (functions/lifecycle) — a user's erasure or export, a
 * session's purge — each bounded by LIFECYCLE_STEP_MS and the invocation's remaining time, the next step sent as
 * its own message. A step that fails is reported in `batchItemFailures` and delivered again; at its last delivery
 * (LIFECYCLE_MAX_RECEIVES) an erasure or export is marked failed before the message goes to the dead-letter queue.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../platform/logger';
import { config } from '../platform/config';
import { failErasure, runErasureStep } from '../lifecycle/erase-user';
import { LIFECYCLE_MAX_RECEIVES, lifecycleJobSchema, type LifecycleJob } from '../lifecycle/jobs';
import { runSessionPurge } from '../lifecycle/purge-session';
import { failExport, runExportStep } from '../lifecycle/export-user';

/** Time kept for sending the next step and saving progress. */
const RESERVE_MS = 5_000;

export async function handler(event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    let job: LifecycleJob;
    try {
      job = lifecycleJobSchema.parse(JSON.parse(message.body));
    } catch {
      logger.error('malformed lifecycle job dropped', { messageId: message.messageId });
      continue;
    }
    const remaining = context ? context.getRemainingTimeInMillis() - RESERVE_MS : Number.POSITIVE_INFINITY;
    const deadlineMs = Date.now() + Math.max(1_000, Math.min(config().LIFECYCLE_STEP_MS, remaining));
    try {
      const outcome =
        job.kind === 'erase-user'
          ? await runErasureStep(job, deadlineMs)
          : job.kind === 'export-user'
            ? await runExportStep(job, deadlineMs)
            : await runSessionPurge(job.sessionId, deadlineMs);
      logger.debug('lifecycle job step', {
        kind: job.kind,
        outcome,
        ...(job.kind === 'erase-user'
          ? { userId: job.userId, step: job.step }
          : job.kind === 'export-user'
            ? { userId: job.userId, exportId: job.exportId, step: job.step }
            : { sessionId: job.sessionId }),
      });
    } catch (err) {
      const last = Number(message.attributes?.ApproximateReceiveCount ?? 1) >= LIFECYCLE_MAX_RECEIVES;
      logger.error(last ? 'lifecycle job failed for the last time' : 'lifecycle job step failed; delivered again', {
        kind: job.kind,
        errorName: (err as { name?: string })?.name,
        message: (err as Error)?.message,
      });
      if (last && job.kind === 'erase-user' && (err as { name?: string })?.name !== 'EarlyStep') await failErasure(job.userId, err);
      if (last && job.kind === 'export-user' && (err as { name?: string })?.name !== 'EarlyStep') await failExport(job.userId, job.exportId, err);
      batchItemFailures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures };
}
