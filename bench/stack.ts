/** The local stack for benchmarks (scripts/local/stack.ts): DynamoDB Local (in memory), the table, the agent emulator, the local API. */
import { randomBytes } from 'node:crypto';
import { startLocalStack } from '../scripts/local/stack';
import { mintDevToken } from '../scripts/local/tokens';

export async function startStack() {
  const tableName = 'pika-bench';
  const jwtSecret = randomBytes(24).toString('hex');
  const stack = await startLocalStack({
    tableName,
    emulator: { chunkDelayMs: 2 },
    usageStream: { pollMs: 1000 },
    env: {
      JWT_SECRET: jwtSecret,
      CURSOR_SECRET: randomBytes(24).toString('hex'),
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      CONVERSE_RATE_LIMIT: '0',
      WRITE_RATE_LIMIT: '0',
    },
  });
  return {
    db: stack.db!,
    emulator: stack.emulator!,
    api: stack.api!,
    tableName,
    /** Adds every debit written so far to the shared usage totals (what the stream consumer does in AWS). */
    settleUsage: () => stack.usageStream!.drain(),
    usageStream: stack.usageStream!,
    token: (userId: string, roles: string[] = []) => mintDevToken({ userId, roles, secret: jwtSecret }),
    stop: () => stack.stop(),
  };
}
export type BenchStack = Awaited<ReturnType<typeof startStack>>;
