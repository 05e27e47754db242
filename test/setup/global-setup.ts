/**
 * Starts one real DynamoDB Local for the whole test run and creates the table from the shared
 * definition. Test files reach it through TABLE_NAME / DYNAMODB_ENDPOINT (inherited by the workers).
 *
 * The global setup of each tier that needs DynamoDB (vitest.config.ts): vitest runs a project's global setup
 * only when that project has files to run, and the tiers of one run share the one DynamoDB Local (the last
 * teardown stops it).
 */
import { startLocalStack } from '../../scripts/local/stack';
import { shareAcrossProjects } from './shared';

export default () =>
  shareAcrossProjects('dynamodb-local', async () => {
    // No emulator, S3, API nor seed here: each test file starts its own (test/support/stack.ts).
    const stack = await startLocalStack({ tableName: 'pika-test', emulator: false, s3: false, api: false, seed: false });
    process.env.CURSOR_SECRET ??= 'test-cursor-secret-0123456789abcdef';
    return () => stack.stop();
  });
