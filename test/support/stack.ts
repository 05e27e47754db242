/**
 * The local stack of one test file (scripts/local/stack.ts): the local API — and the agent emulator when
 * asked — in this test worker, on the run's DynamoDB Local (started once by test/setup/global-setup.ts).
 */
import { afterAll, beforeAll } from 'vitest';
import type { AgentEmulator } from '../../scripts/agent-emulator';
import type { LocalLifecycleQueue } from '../../scripts/local/lifecycle-queue';
import type { LocalApi } from '../../scripts/local/server';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../scripts/local/stack';

export function useLocalStack(opts: { emulator: LocalStackOptions['emulator'] }): {
  api: () => LocalApi;
  emulator: () => AgentEmulator;
  lifecycleQueue: () => LocalLifecycleQueue;
} {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    const dynamoDbEndpoint = process.env.DYNAMODB_ENDPOINT;
    if (!dynamoDbEndpoint) throw new Error('No DynamoDB Local in this run: this file belongs in a tier with the global setup (test/tiers.ts), not in unit');
    stack = await startLocalStack({ dynamoDbEndpoint, tableName: process.env.TABLE_NAME!, emulator: opts.emulator, api: {} });
  });
  afterAll(async () => stack?.stop());
  return {
    api: () => stack!.api!,
    emulator: () => {
      if (!stack?.emulator) throw new Error('no agent emulator in this stack');
      return stack.emulator;
    },
    lifecycleQueue: () => stack!.lifecycleQueue!,
  };
}
