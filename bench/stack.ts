/** The local stack for benchmarks: DynamoDB Local (in memory), the table, the agent emulator, the local API. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { startAgentEmulator } from '../scripts/agent-emulator';
import { ensureTable } from '../scripts/local/create-table';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../scripts/local/dynamodb-local';
import { seedDemoConfig } from '../scripts/local/seed';
import { startLocalApi } from '../scripts/local/server';
import { mintDevToken } from '../scripts/local/tokens';

export async function startStack() {
  const db = await startDynamoDbLocal();
  const tableName = 'pika-bench';
  const admin = new DynamoDBClient({ endpoint: db.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await ensureTable(admin, tableName);
  admin.destroy();
  const emulator = await startAgentEmulator({ chunkDelayMs: 2 });
  const jwtSecret = randomBytes(24).toString('hex');
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: db.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    JWT_SECRET: jwtSecret,
    CURSOR_SECRET: randomBytes(24).toString('hex'),
    BEDROCK_AGENT_ENDPOINT: emulator.endpoint,
    BEDROCK_RUNTIME_ENDPOINT: emulator.runtimeEndpoint,
    BEDROCK_AGENTCORE_ENDPOINT: emulator.agentCoreEndpoint,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    CONVERSE_RATE_LIMIT: '0',
  });
  await seedDemoConfig();
  const api = await startLocalApi();
  return {
    db,
    emulator,
    api,
    tableName,
    token: (userId: string, roles: string[] = []) => mintDevToken({ userId, roles, secret: jwtSecret }),
    async stop() {
      await api.close();
      await emulator.close();
      await db.stop();
    },
  };
}
export type BenchStack = Awaited<ReturnType<typeof startStack>>;
