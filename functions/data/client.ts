/**
 * One DynamoDB document client per container (reused across warm invocations), configured from the
 * environment: TABLE_NAME, and DYNAMODB_ENDPOINT for DynamoDB Local.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let cached: { doc: DynamoDBDocumentClient; tableName: string; endpoint: string | undefined } | undefined;

export function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
}

export function ddb(): DynamoDBDocumentClient {
  const endpoint = process.env.DYNAMODB_ENDPOINT || undefined;
  if (cached && cached.endpoint === endpoint) return cached.doc;
  cached?.doc.destroy();
  const client = new DynamoDBClient({
    ...(endpoint
      ? { endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: Number(process.env.DYNAMODB_MAX_ATTEMPTS ?? 3),
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  cached = { doc, tableName: tableName(), endpoint };
  return doc;
}
