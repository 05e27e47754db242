/**
 * Starts one real DynamoDB Local for the whole test run and creates the table from the shared
 * definition. Test files reach it through TABLE_NAME / DYNAMODB_ENDPOINT (inherited by the workers).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../scripts/local/create-table';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../../scripts/local/dynamodb-local';

export default async function setup() {
  const db = await startDynamoDbLocal();
  const tableName = 'pika-test';
  const client = new DynamoDBClient({ endpoint: db.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await ensureTable(client, tableName);
  client.destroy();
  process.env.DYNAMODB_ENDPOINT = db.endpoint;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint; // honoured by every SDK v3 DynamoDB client
  process.env.TABLE_NAME = tableName;
  process.env.AWS_REGION = LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  process.env.CURSOR_SECRET ??= 'test-cursor-secret-0123456789abcdef';
  return async () => {
    await db.stop();
  };
}
