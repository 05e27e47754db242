/**
 * The usage stream consumer for tests: the shared usage totals (chat app, entity, agent) are added up from the
 * table's stream (functions/handlers/usage-stream.ts), so a test that reads them drains the stream first — the
 * real Streams API of the run's DynamoDB Local, read by the same handler Lambda runs.
 */
import { startUsageStream, type UsageStream } from '../../scripts/local/usage-stream';

let stream: Promise<UsageStream> | undefined;

/** Applies every debit written so far (in any test file: the consumer is exactly-once per debit). */
export async function settleUsage(): Promise<number> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  const tableName = process.env.TABLE_NAME;
  if (!endpoint || !tableName) throw new Error("settleUsage needs the run's DynamoDB Local (an integration-tier test)");
  stream ??= startUsageStream({ endpoint, tableName });
  return (await stream).drain();
}
