/**
 * A DynamoDB Local of one test file's own, for the files that write tens of thousands of items (README, Tests).
 * DynamoDB Local keeps every stream record of its database in one log, and on each write finds where the table's
 * stream shard begins by reading that log from its start: a table whose first write comes after many records
 * pays for all of them on every write. In the run's shared DynamoDB Local, a big file written after another
 * one took 20 minutes instead of 2 (and left its records to slow every table created after it). Here its table
 * is the first of its database, and the shared one is spared its records.
 *
 * Call it before useApi/useLocalStack: their beforeAll runs after this one and reads DYNAMODB_ENDPOINT and TABLE_NAME.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { ensureTable } from '../../scripts/local/create-table';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal, type DynamoDbLocal } from '../../scripts/local/dynamodb-local';

export function useOwnDynamoDbLocal(tableName: string): void {
  let db: DynamoDbLocal | undefined;
  beforeAll(async () => {
    db = await startDynamoDbLocal();
    const admin = new DynamoDBClient({ endpoint: db.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      await ensureTable(admin, tableName); // the same definition as every table (functions/data/table-definition.ts)
    } finally {
      admin.destroy();
    }
    Object.assign(process.env, { DYNAMODB_ENDPOINT: db.endpoint, AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, TABLE_NAME: tableName });
  }, 120_000);
  afterAll(async () => db?.stop());
}
