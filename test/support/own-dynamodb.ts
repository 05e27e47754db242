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
import { afterAll, beforeAll } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/local/stack';

export function useOwnDynamoDbLocal(tableName: string): void {
  let db: LocalStack | undefined;
  beforeAll(async () => {
    // As the run's (test/setup/global-setup.ts): DynamoDB Local, the table from the one definition, the environment.
    db = await startLocalStack({ tableName, emulator: false, s3: false, api: false, seed: false });
  }, 120_000);
  afterAll(async () => db?.stop());
}
