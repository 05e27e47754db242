/**
 * The container's clients (functions/platform/clients.ts): a provided client is the one the repositories use; the
 * built ones follow the configuration they are built from.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { bedrockAgentClient } from '../../functions/models/bedrock-agent';
import { ddb } from '../../functions/data/client';
import { getWidgetData, setWidgetData } from '../../functions/data/widget-data';
import { s3Client } from '../../functions/files/storage';
import { provideClients, resetClients } from '../../functions/platform/clients';
import { config, provideConfig } from '../../functions/platform/config';
import { restoreEnv } from '../support/env';
import { uid } from './helpers';

/** A real document client on DynamoDB Local that counts the commands it sends. */
function countingClient() {
  const c = config();
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: c.DYNAMODB_ENDPOINT!,
      region: c.AWS_REGION ?? 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const sent: string[] = [];
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return { doc, sent };
}

afterEach(() => resetClients());

describe('container clients', () => {
  it('a provided DynamoDB client is the one every repository call goes through, until it is withdrawn', async () => {
    const { doc, sent } = countingClient();
    const withdraw = provideClients({ ddb: doc });
    const userId = uid('clients');
    try {
      expect(ddb()).toBe(doc);
      await setWidgetData({ userId, scope: 'custom', tag: 't', data: { a: 1 } });
      expect(await getWidgetData(userId, 'custom', 't')).toEqual({ a: 1 });
      expect(sent).toEqual(['PutItemCommand', 'GetItemCommand']);
    } finally {
      withdraw();
      doc.destroy();
    }
    const before = sent.length;
    expect(ddb()).not.toBe(doc);
    expect(await getWidgetData(userId, 'custom', 't')).toEqual({ a: 1 });
    expect(sent).toHaveLength(before);
  });

  it('a provided client survives a configuration change; withdrawing it puts back the one provided before', () => {
    const outer = countingClient().doc;
    const inner = countingClient().doc;
    const withdrawOuter = provideClients({ ddb: outer });
    const withdrawInner = provideClients({ ddb: inner });
    const saved = { DYNAMODB_MAX_ATTEMPTS: process.env.DYNAMODB_MAX_ATTEMPTS };
    try {
      process.env.DYNAMODB_MAX_ATTEMPTS = '2';
      expect(ddb()).toBe(inner);
      withdrawInner();
      expect(ddb()).toBe(outer);
      withdrawOuter();
      expect([outer, inner]).not.toContain(ddb());
    } finally {
      restoreEnv(saved);
      outer.destroy();
      inner.destroy();
    }
  });

  it('built clients are reused until what they are built from changes', () => {
    const saved = { DYNAMODB_MAX_ATTEMPTS: process.env.DYNAMODB_MAX_ATTEMPTS, S3_ENDPOINT: process.env.S3_ENDPOINT };
    try {
      const [doc, s3, agent] = [ddb(), s3Client(), bedrockAgentClient()];
      expect(ddb()).toBe(doc);
      expect(s3Client()).toBe(s3);
      expect(bedrockAgentClient()).toBe(agent);
      // Any new configuration: a new document client (tests rely on it, e.g. DynamoDB unreachable), the same S3 and Bedrock ones.
      process.env.DYNAMODB_MAX_ATTEMPTS = '2';
      expect(ddb()).not.toBe(doc);
      expect(s3Client()).toBe(s3);
      expect(bedrockAgentClient()).toBe(agent);
      // A new S3 endpoint: a new S3 client.
      process.env.S3_ENDPOINT = 'http://127.0.0.1:1';
      expect(s3Client()).not.toBe(s3);
    } finally {
      restoreEnv(saved);
    }
  });

  it('a provided configuration is used instead of the environment, validated like it, and the clients follow it', async () => {
    const envBefore = { ...process.env };
    const clientBefore = ddb();
    expect(() => provideConfig({ DYNAMODB_MAX_ATTEMPTS: 'many' })).toThrow(/DYNAMODB_MAX_ATTEMPTS/);
    const withdraw = provideConfig({ DYNAMODB_MAX_ATTEMPTS: '2', SEARCH_READ_BUDGET: '7' });
    try {
      expect(config()).toMatchObject({ DYNAMODB_MAX_ATTEMPTS: 2, SEARCH_READ_BUDGET: 7 });
      expect(process.env).toEqual(envBefore);
      const client = ddb();
      expect(client).not.toBe(clientBefore);
      expect(await client.config.maxAttempts()).toBe(2);
    } finally {
      withdraw();
    }
    expect(config().SEARCH_READ_BUDGET).not.toBe(7);
    expect(await ddb().config.maxAttempts()).not.toBe(2);
  });
});
