/**
 * The DynamoDB document client of the container (functions/platform/clients.ts: built once from the runtime
 * configuration, or the one a test provides): DYNAMODB_ENDPOINT for DynamoDB Local. A new configuration
 * (tests, the local server) gets a new client. TABLE_NAME names the table.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defineClient } from '../platform/clients';
import { config } from '../platform/config';

export function tableName(): string {
  const name = config().TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
}

export const ddb = defineClient('ddb', {
  create(c) {
    const endpoint = c.DYNAMODB_ENDPOINT;
    const client = new DynamoDBClient({
      ...(endpoint ? { endpoint, region: c.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
      maxAttempts: c.DYNAMODB_MAX_ATTEMPTS,
    });
    return DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
      unmarshallOptions: { wrapNumbers: false },
    });
  },
});
