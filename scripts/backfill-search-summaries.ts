/**
 * One-off migration: writes the session search summaries (functions/data/search-summaries.ts) of sessions
 * created before they existed, and converts the former per-feedback map to the bounded counts (recounted
 * from the feedback items). Offline only — it Scans the table for session items (`sk = META`), which no
 * request path does. Safe to run while the API serves and to run again (each write is conditioned on the
 * summary it read).
 *
 *   TABLE_NAME=<table> AWS_REGION=<region> npx tsx scripts/backfill-search-summaries.ts
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from '../functions/data/client';
import { backfillSessionSummaries } from './local/search-backfill';

let sessions = 0;
let feedback = 0;
let startKey: Record<string, unknown> | undefined;
do {
  const out = await ddb().send(
    new ScanCommand({
      TableName: tableName(),
      FilterExpression: 'sk = :meta AND begins_with(pk, :session)',
      ExpressionAttributeValues: { ':meta': 'META', ':session': 'SESSION#' },
      ProjectionExpression: 'sessionId',
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  for (const item of out.Items ?? []) {
    const done = await backfillSessionSummaries(item.sessionId as string);
    if (done) {
      sessions++;
      feedback += done.feedback;
    }
  }
  startKey = out.LastEvaluatedKey;
} while (startKey);
console.log(`backfilled ${sessions} sessions (${feedback} feedback counted)`);
