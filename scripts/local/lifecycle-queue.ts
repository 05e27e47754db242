/**
 * The lifecycle queue of the local stack (functions/lifecycle/jobs.ts): in-process, handing each job to the
 * same Lambda handler as SQS would (functions/handlers/lifecycle-worker.ts), after its delay, and again every
 * `retryMs` while the handler reports it failed (as SQS redelivers after the visibility timeout), with its
 * receive count, so the worker's last-delivery rule runs as in AWS.
 */
import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { provideLifecycleQueue, type LifecycleJob } from '../../functions/lifecycle/jobs';
import { handler } from '../../functions/handlers/lifecycle-worker';

export interface LocalLifecycleQueue {
  /** Jobs waiting (delayed ones included) or being handled. */
  pending(): number;
  /** Every job sent, in order. */
  sent(): LifecycleJob[];
  /** Resolves once nothing is pending (a test's wait for the background work; bounded by the test's timeout). */
  idle(): Promise<void>;
  stop(): void;
}

interface Entry {
  record: SQSRecord;
  receives: number;
  dueMs: number;
}

export function startLocalLifecycleQueue(opts: { retryMs?: number; delayScale?: number } = {}): LocalLifecycleQueue {
  const queue: Entry[] = [];
  const sent: LifecycleJob[] = [];
  let busy = false;
  const deliver = async () => {
    if (busy) return;
    const now = Date.now();
    const batch = queue.filter((e) => e.dueMs <= now).slice(0, 10);
    if (!batch.length) return;
    busy = true;
    try {
      for (const e of batch) queue.splice(queue.indexOf(e), 1);
      for (const e of batch) e.record.attributes.ApproximateReceiveCount = String(++e.receives);
      const { batchItemFailures } = await handler({ Records: batch.map((e) => e.record) });
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      for (const e of batch) if (failed.has(e.record.messageId)) queue.push({ ...e, dueMs: Date.now() + (opts.retryMs ?? 50) });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void deliver().catch(() => undefined), 10);
  timer.unref();
  provideLifecycleQueue(async (job, delaySeconds) => {
    sent.push(job);
    queue.push({
      record: {
        messageId: randomUUID(),
        receiptHandle: 'local',
        body: JSON.stringify(job),
        attributes: {
          ApproximateReceiveCount: '0',
          SentTimestamp: String(Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:lifecycle',
        awsRegion: 'local',
      },
      receives: 0,
      dueMs: Date.now() + delaySeconds * 1000 * (opts.delayScale ?? 1),
    });
  });
  return {
    pending: () => queue.length + (busy ? 1 : 0),
    sent: () => [...sent],
    async idle() {
      while (queue.length || busy) await new Promise((r) => setTimeout(r, 20));
    },
    stop() {
      clearInterval(timer);
      provideLifecycleQueue(undefined);
    },
  };
}
