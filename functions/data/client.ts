/**
 * One DynamoDB document client per container (reused across warm invocations), built from the runtime
 * configuration (functions/lib/config.ts): TABLE_NAME, and DYNAMODB_ENDPOINT for DynamoDB Local. A new
 * configuration (tests, the local server) gets a new client.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config, type RuntimeConfig } from '../lib/config';

let cached: { doc: DynamoDBDocumentClient; config: RuntimeConfig } | undefined;

export function tableName(): string {
  const name = config().TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
}

export function ddb(): DynamoDBDocumentClient {
  const c = config();
  if (cached?.config === c) return cached.doc;
  cached?.doc.destroy();
  const endpoint = c.DYNAMODB_ENDPOINT;
  const client = new DynamoDBClient({
    ...(endpoint ? { endpoint, region: c.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: c.DYNAMODB_MAX_ATTEMPTS,
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  cached = { doc, config: c };
  return doc;
}
