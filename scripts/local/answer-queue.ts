/**
 * The answer redrive queue of the local stack: in-process, handing each record to the same Lambda handler as
 * SQS would (functions/handlers/answer-redrive.ts), again every `retryMs` while it reports the record failed,
 * as a queue redelivers it after its visibility timeout.
 */
import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { provideAnswerQueue } from '../../functions/converse/answer-queue';
import type { AnswerRecord } from '../../functions/data/turn-writes';
import { handler } from '../../functions/handlers/answer-redrive';

export interface LocalAnswerQueue {
  /** Records not stored yet. */
  pending(): number;
  /** Every record sent to the queue, in order. */
  sent(): AnswerRecord[];
  stop(): void;
}

/** A record as SQS delivers it to the handler. */
export const sqsRecord = (record: AnswerRecord): SQSRecord => ({
  messageId: randomUUID(),
  receiptHandle: 'local',
  body: JSON.stringify(record),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()) },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:local:000000000000:answers',
  awsRegion: 'local',
});

export function startLocalAnswerQueue(opts: { retryMs?: number } = {}): LocalAnswerQueue {
  const queue: SQSRecord[] = [];
  const sent: AnswerRecord[] = [];
  let busy = false;
  const deliver = async () => {
    if (busy || !queue.length) return;
    busy = true;
    try {
      const batch = queue.splice(0, 10);
      const { batchItemFailures } = await handler({ Records: batch });
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      queue.push(...batch.filter((r) => failed.has(r.messageId)));
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void deliver().catch(() => undefined), opts.retryMs ?? 250);
  timer.unref();
  provideAnswerQueue(async (record) => {
    sent.push(record);
    queue.push(sqsRecord(record));
  });
  return {
    pending: () => queue.length + (busy ? 1 : 0),
    sent: () => [...sent],
    stop() {
      clearInterval(timer);
      provideAnswerQueue(undefined);
    },
  };
}
