/**
 * The usage stream consumer (DynamoDB Streams → Lambda): adds the debit records a batch carries to the shared
 * usage totals (functions/data/usage-aggregates.ts `applyDebits`, exactly once per debit). The event source
 * delivers only INSERTs of debit records (its filter, lib/constructs/chat-usage.ts). A failed batch is
 * reported from its first record, so Lambda retries it whole: the applied markers make the retry add only
 * what was not added.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { applyDebits, debitOf, type DebitRecord } from '../data/usage-aggregates';
import { DEBIT_PREFIX } from '../data/keys';
import { logger } from '../platform/logger';

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const debits: DebitRecord[] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (typeof item.sk !== 'string' || !item.sk.startsWith(DEBIT_PREFIX)) continue;
    const debit = debitOf(item);
    if (debit) debits.push(debit);
    else logger.error('malformed debit record skipped', { sk: item.sk });
  }
  if (!debits.length) return { batchItemFailures: [] };
  try {
    const { applied, duplicates } = await applyDebits(debits);
    logger.info('usage debits applied', { applied, duplicates });
    return { batchItemFailures: [] };
  } catch (err) {
    logger.error('usage debits not applied; the batch is retried', { errorName: (err as { name?: string })?.name, message: (err as Error)?.message });
    const first = event.Records[0]?.dynamodb?.SequenceNumber;
    return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
  }
}
