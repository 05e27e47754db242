/**
 * The answer redrive worker (SQS): stores answers that could not be stored when their turn ended
 * (functions/converse/answer-queue.ts), each exactly once — its message id is fixed, so a redelivery finds it
 * stored. A record whose session is gone (deleted meanwhile) is dropped with an error log; one that fails on a
 * dependency is reported in `batchItemFailures` and delivered again (the dead-letter queue after maxReceiveCount).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type AnswerRecord, storeRedrivenAnswer } from '../data/turn-writes';
import { logger } from '../platform/logger';

const isRecord = (v: unknown): v is AnswerRecord => {
  const r = v as Partial<AnswerRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.messageId === 'string' &&
    typeof r.sessionId === 'string' &&
    typeof r.userId === 'string' &&
    typeof r.turnId === 'string' &&
    typeof r.content === 'string' &&
    typeof r.debit === 'object' &&
    r.debit !== null
  );
};

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    let record: unknown;
    try {
      record = JSON.parse(message.body);
    } catch {
      record = undefined;
    }
    if (!isRecord(record)) {
      logger.error('malformed answer record dropped', { messageId: message.messageId });
      continue;
    }
    try {
      await storeRedrivenAnswer(record);
      logger.info('queued answer stored', { sessionId: record.sessionId, messageId: record.messageId });
    } catch (err) {
      if ((err as { code?: string })?.code === 'NOT_FOUND') {
        logger.error('queued answer dropped: its session is gone', { sessionId: record.sessionId, messageId: record.messageId });
        continue;
      }
      logger.error('queued answer not stored; delivered again', { sessionId: record.sessionId, errorName: (err as { name?: string })?.name });
      batchItemFailures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures };
}
