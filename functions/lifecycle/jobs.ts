/**
 * The lifecycle jobs (docs/security.md#erasure): a user's erasure and a large session's purge, each a chain of
 * queue messages — every message does a bounded amount of work, then sends the next one — so nothing runs
 * inside one request or one Lambda invocation for long, and a crash is a redelivery that goes on from what is
 * left. In AWS the queue is SQS (LIFECYCLE_QUEUE_URL, with a dead-letter queue: lib/constructs/chat-lifecycle.ts);
 * the local stack hands messages in-process to the same handler (scripts/local/lifecycle-queue.ts).
 */
import * as z from 'zod';
import { idSchema, userIdSchema } from 'pika-shared/schemas';
import { config } from '../platform/config';
import { DomainError } from '../platform/errors';

export const lifecycleJobSchema = z.discriminatedUnion('kind', [
  /** Step `step` of the user's erasure (the erasure record says which step is due: others are stale or early). */
  z.strictObject({ kind: z.literal('erase-user'), userId: userIdSchema, step: z.number().int().min(0) }),
  /** The items and objects of a session already gone from every list (its META deleted). */
  z.strictObject({ kind: z.literal('purge-session'), sessionId: idSchema }),
  /** Step `step` of an export of the user's data (the export record says which step is due). */
  z.strictObject({ kind: z.literal('export-user'), userId: userIdSchema, exportId: idSchema, step: z.number().int().min(0) }),
]);
export type LifecycleJob = z.infer<typeof lifecycleJobSchema>;

export type JobSender = (job: LifecycleJob, delaySeconds: number) => Promise<void>;

let local: JobSender | undefined;

/** The local stack's queue; undefined removes it. */
export function provideLifecycleQueue(sender: JobSender | undefined): void {
  local = sender;
}

/** Deliveries of one step before it goes to the dead-letter queue (lib/constructs/chat-lifecycle.ts); the last marks an erasure failed. */
export const LIFECYCLE_MAX_RECEIVES = 10;

/** SQS's longest delivery delay. */
export const MAX_DELAY_SECONDS = 900;

/** Sends a job (after `delaySeconds`, at most 15 min); throws when there is no queue or it refused. */
export async function sendLifecycleJob(job: LifecycleJob, delaySeconds = 0): Promise<void> {
  const delay = Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(delaySeconds)));
  const url = config().LIFECYCLE_QUEUE_URL;
  if (url) return (await import('./jobs-sqs')).sendToQueue(url, job, delay);
  if (local) return local(job, delay);
  throw new DomainError('DEPENDENCY_UNAVAILABLE', 'No lifecycle queue is configured in this deployment (LIFECYCLE_QUEUE_URL)');
}
