/**
 * Starts one real DynamoDB Local for the whole test run and creates the table from the shared
 * definition. Test files reach it through TABLE_NAME / DYNAMODB_ENDPOINT (inherited by the workers).
 * Meanwhile builds and packs pika-shared once: PIKA_SHARED_TARBALL (test/shared-types/package.test.ts).
 */
import { rmSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../scripts/local/create-table';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../../scripts/local/dynamodb-local';
import { buildAndPackSharedTypes } from './pika-shared-package';

export default async function setup() {
  const [dbStart, packing] = await Promise.allSettled([startDynamoDbLocal(), buildAndPackSharedTypes()]);
  if (dbStart.status === 'rejected' || packing.status === 'rejected') {
    if (dbStart.status === 'fulfilled') await dbStart.value.stop();
    if (packing.status === 'fulfilled') rmSync(packing.value.dir, { recursive: true, force: true });
    throw dbStart.status === 'rejected' ? dbStart.reason : (packing as PromiseRejectedResult).reason;
  }
  const db = dbStart.value;
  const pack = packing.value;
  process.env.PIKA_SHARED_TARBALL = pack.tarball;
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
    rmSync(pack.dir, { recursive: true, force: true });
  };
}
