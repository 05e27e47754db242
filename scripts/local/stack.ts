/**
 * The local stack, started one way for `npm start`, the tests and the benchmarks: DynamoDB Local with the
 * table, the agent emulator, the demo configuration and the local API, each optional. The process
 * environment is set the way the handlers read it (TABLE_NAME, DYNAMODB_ENDPOINT, BEDROCK_*_ENDPOINT, …), as
 * in Lambda; `stop()` stops what this call started, newest first.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AgentEmulator } from '../agent-emulator';
import { ensureTable } from './create-table';
import { startDynamoDbFront, type DynamoDbFront, type DynamoDbFrontOptions } from './dynamodb-front';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import type { LocalApi, LocalApiOptions } from './server';
import { startLocalS3, type LocalS3 } from './s3-server';
import { startUsageStream, type UsageStream } from './usage-stream';
import type { LocalAnswerQueue } from './answer-queue';
import type { LocalLifecycleQueue } from './lifecycle-queue';

/** The bucket of uploaded files in the local S3. */
export const LOCAL_FILES_BUCKET = 'pika-files-local';
import { resetConfig } from '../../functions/platform/config';
import { DEMO_MEMORIES } from './demo-memory';

export interface LocalStackOptions {
  /** Default 'pika-local'. */
  tableName?: string;
  /** A DynamoDB Local already running (the tests' global setup): used as is, not started nor stopped. */
  dynamoDbEndpoint?: string;
  /** Persist DynamoDB Local's data here; in memory without. */
  dbPath?: string;
  /**
   * The handlers reach DynamoDB Local through a front that refuses conflicting transactions and throttles hot
   * partitions as DynamoDB does (scripts/local/dynamodb-front/, docs/dynamodb-front.md); default false.
   */
  front?: false | Omit<DynamoDbFrontOptions, 'target'>;
  /** The agent emulator (default), or false: none (the tests' global setup, where each worker starts its own). */
  emulator?: false | { chunkDelayMs?: number; port?: number; silentMs?: number };
  /** No emulator, and the SDK's own AWS credentials kept so it reaches real Bedrock (DynamoDB Local accepts any). */
  realBedrock?: boolean;
  /** The local API (default: a free loopback port; `pages`: npm start's playground), or false. */
  api?: false | LocalApiOptions;
  /** Put the demo chat apps and agents in the table (default true). */
  seed?: boolean;
  /**
   * The local S3 of uploaded files (scripts/local/s3-server.ts; default: started, objects in a temporary
   * directory), or false: none (the tests' global setup, where each file's stack starts its own).
   */
  s3?: false | { directory?: string; corsOrigins?: string[] };
  /**
   * The usage stream consumer polling the table's stream every `pollMs` (npm start), or false (default: the tests
   * and the bench drain it when they read shared totals: test/support/usage.ts).
   */
  usageStream?: false | { pollMs: number };
  /** More environment for the handlers (JWT_SECRET, CURSOR_SECRET, CORS_ORIGINS, …), set before the API starts. */
  env?: Record<string, string>;
}

export interface LocalStack {
  tableName: string;
  /** What the handlers use: the front's endpoint when there is one, else DynamoDB Local's. */
  dynamoDbEndpoint: string;
  /** Set only when this stack started DynamoDB Local. */
  db: DynamoDbLocal | undefined;
  front: DynamoDbFront | undefined;
  emulator: AgentEmulator | undefined;
  s3: LocalS3 | undefined;
  api: LocalApi | undefined;
  usageStream: UsageStream | undefined;
  answerQueue: LocalAnswerQueue | undefined;
  /** Erasures and session purges (functions/lifecycle), in-process. */
  lifecycleQueue: LocalLifecycleQueue | undefined;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local unless given an endpoint, and creates the table from the shared definition. */
async function dynamoDb(opts: LocalStackOptions): Promise<{ endpoint: string; db: DynamoDbLocal | undefined }> {
  const db = opts.dynamoDbEndpoint ? undefined : await startDynamoDbLocal(opts.dbPath ? { dbPath: opts.dbPath } : {});
  const endpoint = opts.dynamoDbEndpoint ?? db!.endpoint;
  const admin = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await ensureTable(admin, opts.tableName ?? 'pika-local');
  } catch (err) {
    await db?.stop();
    throw err;
  } finally {
    admin.destroy();
  }
  return { endpoint, db };
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const tableName = opts.tableName ?? 'pika-local';
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  try {
    const { endpoint: dbEndpoint, db } = await dynamoDb({ ...opts, tableName });
    if (db) stops.push(() => db.stop());
    const front = opts.front ? await startDynamoDbFront({ ...opts.front, target: dbEndpoint }) : undefined;
    if (front) stops.push(() => front.stop());
    const endpoint = front?.endpoint ?? dbEndpoint;
    // The emulator, seed and server modules load the handlers: imported only when used.
    const emulator =
      opts.emulator === false || opts.realBedrock ? undefined : await (await import('../agent-emulator')).startAgentEmulator(opts.emulator ?? {});
    if (emulator) stops.push(() => emulator.close());
    const s3 = opts.s3 === false ? undefined : await startLocalS3({ bucket: LOCAL_FILES_BUCKET, ...(opts.s3 ?? {}) });
    if (s3) stops.push(() => s3.stop());
    Object.assign(process.env, {
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint, // honoured by every SDK v3 DynamoDB client
      AWS_REGION: LOCAL_REGION,
      ...(opts.realBedrock ? {} : { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey }),
      ...(emulator
        ? {
            BEDROCK_AGENT_ENDPOINT: emulator.endpoint,
            BEDROCK_RUNTIME_ENDPOINT: emulator.runtimeEndpoint,
            BEDROCK_AGENTCORE_ENDPOINT: emulator.agentCoreEndpoint,
            AGENTCORE_MEMORIES: JSON.stringify(DEMO_MEMORIES),
          }
        : {}),
      ...(s3 ? { FILES_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint } : {}),
      ...opts.env,
    });
    resetConfig(); // the functions parse their configuration again, from this environment
    if (opts.seed ?? true) await (await import('./seed')).seedDemoConfig();
    // Answers the table refused when their turn ended, stored later by the redrive handler (in AWS: SQS).
    const answerQueue = opts.api === false ? undefined : (await import('./answer-queue')).startLocalAnswerQueue();
    if (answerQueue) stops.push(async () => answerQueue.stop());
    const lifecycleQueue = opts.api === false ? undefined : (await import('./lifecycle-queue')).startLocalLifecycleQueue();
    if (lifecycleQueue) stops.push(async () => lifecycleQueue.stop());
    const api = opts.api === false ? undefined : await (await import('./server')).startLocalApi(opts.api ?? {});
    if (api) stops.push(() => api.close());
    // Through the front when there is one: the consumer's transactions meet the turns' as in AWS.
    const usageStream = opts.usageStream ? await startUsageStream({ endpoint, tableName, pollMs: opts.usageStream.pollMs }) : undefined;
    if (usageStream) stops.push(() => usageStream.stop());
    return { tableName, dynamoDbEndpoint: endpoint, db, front, emulator, s3, api, usageStream, answerQueue, lifecycleQueue, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
