/**
 * Answers that could not be stored when their turn ended (docs/converse.md#an-answer-is-never-lost): sent to
 * the redrive queue with a fixed message id, and stored later, exactly once, by the answer-redrive function
 * (functions/handlers/answer-redrive.ts). In AWS the queue is SQS (ANSWER_QUEUE_URL); the local stack provides
 * an in-process queue that hands records to the same handler.
 */
import type { AnswerRecord } from '../data/turn-writes';
import { logger } from '../platform/logger';
import { config } from '../platform/config';
import { ANSWERS_DEFERRED, countMetric } from '../platform/metrics';

export type AnswerSender = (record: AnswerRecord) => Promise<void>;

let local: AnswerSender | undefined;

/** The local stack's queue (scripts/local/answer-queue.ts); undefined removes it. */
export function provideAnswerQueue(sender: AnswerSender | undefined): void {
  local = sender;
}

/** Whether the answer is on its way to being stored: false when there is no queue, or it refused the record. */
export async function sendAnswerForLater(record: AnswerRecord): Promise<boolean> {
  const url = config().ANSWER_QUEUE_URL;
  if (url) await (await import('./answer-queue-sqs')).sendToQueue(url, record);
  else if (local) await local(record);
  else return false;
  return true;
}

/** Sends an answer to the redrive queue; false when it could not (logged): the caller counts it as not stored. */
export async function deferAnswer(record: AnswerRecord): Promise<boolean> {
  try {
    if (!(await sendAnswerForLater(record))) return false;
    countMetric(ANSWERS_DEFERRED);
    logger.warn('assistant message queued to be stored later', { sessionId: record.sessionId, messageId: record.messageId });
    return true;
  } catch (err) {
    logger.error('assistant message not queued', { sessionId: record.sessionId, errorName: (err as { name?: string })?.name });
    return false;
  }
}
