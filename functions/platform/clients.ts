/**
 * The AWS SDK clients of a container, in one place. Each is built lazily from the parsed configuration
 * (./config.ts) at its first use and reused by every warm invocation; when what it is built from (its `key`)
 * changes — tests and the local server parse a new environment — the next use builds a new one. Tests and
 * tools pass their own instances instead (`provideClients`). The modules that own a client define its factory
 * (functions/data/client.ts, functions/files/storage.ts, functions/models/bedrock.ts, …): this module imports
 * SDK types only, so a function bundles only the clients it uses.
 */
import type { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import type { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config, type RuntimeConfig } from './config';

export interface Clients {
  ddb: DynamoDBDocumentClient;
  s3: S3Client;
  bedrockAgent: BedrockAgentRuntimeClient;
  bedrockRuntime: BedrockRuntimeClient;
  agentCore: BedrockAgentCoreClient;
  sqs: SQSClient;
}
export type ClientName = keyof Clients;

export interface ClientFactory<T> {
  create(c: RuntimeConfig): T;
  /** What of the configuration the client is built from (compared with Object.is); default: the whole parsed configuration. */
  key?(c: RuntimeConfig): unknown;
}

const built = new Map<ClientName, { client: { destroy(): void }; key: unknown }>();
const provided: Partial<Clients> = {};

/** The getter of one client: the provided instance, else the one built for the current configuration. */
export function defineClient<K extends ClientName>(name: K, factory: ClientFactory<Clients[K]>): () => Clients[K] {
  return () => {
    const own = provided[name];
    if (own) return own;
    const c = config();
    const key = factory.key ? factory.key(c) : c;
    const current = built.get(name);
    if (current && Object.is(current.key, key)) return current.client as Clients[K];
    current?.client.destroy();
    const client = factory.create(c);
    built.set(name, { client, key });
    return client;
  };
}

/**
 * Uses these instances instead of building clients, until the returned function is called (it puts back what
 * was provided before). The container never destroys a provided client: its owner does.
 */
export function provideClients(clients: Partial<Clients>): () => void {
  const before: Partial<Clients> = { ...provided };
  Object.assign(provided, clients);
  return () => {
    for (const name of Object.keys(clients) as ClientName[]) {
      if (before[name]) Object.assign(provided, { [name]: before[name] });
      else delete provided[name];
    }
  };
}

/** Destroys the clients built so far and forgets every provided one: the next use builds anew. */
export function resetClients(): void {
  for (const { client } of built.values()) client.destroy();
  built.clear();
  for (const name of Object.keys(provided) as ClientName[]) delete provided[name];
}
