/**
 * Starts one real DynamoDB Local for the whole test run and creates the table from the shared
 * definition. Test files reach it through TABLE_NAME / DYNAMODB_ENDPOINT (inherited by the workers).
 * Meanwhile builds and packs pika-shared once: PIKA_SHARED_TARBALL (test/shared-types/package.test.ts).
 */
import { rmSync } from 'node:fs';
import { startLocalStack } from '../../scripts/local/stack';
import { buildAndPackSharedTypes } from './pika-shared-package';

export default async function setup() {
  // No emulator, API nor seed here: each test file starts its own (test/support/stack.ts).
  const [dbStart, packing] = await Promise.allSettled([startLocalStack({ tableName: 'pika-test', emulator: false, api: false, seed: false }), buildAndPackSharedTypes()]);
  if (dbStart.status === 'rejected' || packing.status === 'rejected') {
    if (dbStart.status === 'fulfilled') await dbStart.value.stop();
    if (packing.status === 'fulfilled') rmSync(packing.value.dir, { recursive: true, force: true });
    throw dbStart.status === 'rejected' ? dbStart.reason : (packing as PromiseRejectedResult).reason;
  }
  const stack = dbStart.value;
  const pack = packing.value;
  process.env.PIKA_SHARED_TARBALL = pack.tarball;
  process.env.CURSOR_SECRET ??= 'test-cursor-secret-0123456789abcdef';
  return async () => {
    await stack.stop();
    rmSync(pack.dir, { recursive: true, force: true });
  };
}
