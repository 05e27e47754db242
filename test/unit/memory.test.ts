/** User memory's pure parts: actor ids, namespaces, the chat app feature schema, the registered memories, the memory blocks. */
import { afterEach, describe, expect, it } from 'vitest';
import { chatAppConfigSchema, memoryIdOf, memoryNamespaceSchema, userMemoryFeatureSchema } from 'pika-shared/schemas';
import { encodeAgentRuntimePayload, isUserMemoryBlock, parseAgentRuntimePayload, parseUserMemoryBlock, userMemoryBlock } from 'pika-shared/util/agentcore';
import { parseConfig } from '../../functions/platform/config';
import { actorIdFor, checkUserMemoryFeature, isUnder, namespaceFor, registeredMemories, userMemoryOf } from '../../functions/memory/registry';
import { restoreEnv } from '../support/env';

const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/pika_users-AbCdE12345';
const saved = { AGENTCORE_MEMORIES: process.env.AGENTCORE_MEMORIES };
afterEach(() => restoreEnv(saved));

describe('actor ids', () => {
  it('are the userId when AgentCore accepts it, else a stable hash; no two users share one', () => {
    expect(actorIdFor('alice_01-x')).toBe('alice_01-x');
    for (const id of ['auth0|abc', 'a@b.com', 'x.y', 'p+q', 'g:1', 'pika_alice']) {
      expect(actorIdFor(id)).toMatch(/^pika_[0-9a-f]{64}$/);
      expect(actorIdFor(id)).toBe(actorIdFor(id));
    }
    // A user whose id looks like another's hashed actor is hashed too.
    const hashed = actorIdFor('auth0|abc');
    expect(actorIdFor(hashed)).not.toBe(hashed);
  });
});

describe('namespaces', () => {
  it('a namespace is under a scope only on a path boundary', () => {
    expect(isUnder('/users/alice', '/users/alice')).toBe(true);
    expect(isUnder('/users/alice/facts', '/users/alice')).toBe(true);
    expect(isUnder('/users/alice2/facts', '/users/alice')).toBe(false);
    expect(isUnder('/users/al', '/users/alice')).toBe(false);
    expect(namespaceFor('/users/{actorId}/facts', 'bob')).toBe('/users/bob/facts');
  });

  it('templates hold {actorId} once, as a whole segment', () => {
    for (const ok of ['/users/{actorId}', '/users/{actorId}/facts', '/{actorId}']) expect(memoryNamespaceSchema.safeParse(ok).success, ok).toBe(true);
    for (const bad of [
      '/users',
      '/users/{actorId}{actorId}',
      '/users/x{actorId}',
      '/u/{actorId}/{actorId}',
      'users/{actorId}',
      '/users/{other}/{actorId}',
      '/users/{actorId} ',
    ]) {
      expect(memoryNamespaceSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('the userMemory feature', () => {
  it('is typed inside a chat app’s features; other features stay free-form', () => {
    const base = { chatAppId: 'a', title: 't', enabled: true, agentId: 'echo' };
    expect(
      chatAppConfigSchema.safeParse({
        ...base,
        features: { other: { featureId: 'other', enabled: true, anything: 1 }, userMemory: { featureId: 'userMemory', enabled: false } },
      }).success,
    ).toBe(true);
    const r = chatAppConfigSchema.safeParse({ ...base, features: { userMemory: { featureId: 'userMemory', enabled: true, recallCount: 50 } } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['features.userMemory.memory', 'features.userMemory.recallCount']);
    expect(userMemoryFeatureSchema.safeParse({ featureId: 'userMemory', enabled: true, memory: ARN, strategies: ['short-term'] }).success).toBe(true);
    expect(memoryIdOf(ARN)).toBe('pika_users-AbCdE12345');
    expect(memoryIdOf('pika_users-AbCdE12345')).toBe('pika_users-AbCdE12345');
    expect(memoryIdOf('arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/x-AbCdE12345')).toBeUndefined();
  });

  it('needs a registered memory and a namespace under the registered one; settings default sensibly', () => {
    process.env.AGENTCORE_MEMORIES = JSON.stringify([{ arn: ARN }]);
    expect(registeredMemories()).toEqual([{ arn: ARN, memoryId: 'pika_users-AbCdE12345', namespace: '/users/{actorId}' }]);
    expect(() => checkUserMemoryFeature({ featureId: 'userMemory', enabled: true, memory: 'other_mem-AbCdE12345' })).toThrow(/not registered/);
    expect(() => checkUserMemoryFeature({ featureId: 'userMemory', enabled: true, memory: ARN, namespace: '/teams/{actorId}' })).toThrow(/under/);
    // A user's path inside another's: /users/actor/{actorId} would put bob under the user "actor".
    expect(() => checkUserMemoryFeature({ featureId: 'userMemory', enabled: true, memory: ARN, namespace: '/users/actor/{actorId}' })).toThrow(/under/);
    expect(() =>
      checkUserMemoryFeature({ featureId: 'userMemory', enabled: true, memory: 'pika_users-AbCdE12345', namespace: '/users/{actorId}/support' }),
    ).not.toThrow();
    const feature = { featureId: 'userMemory', enabled: true, memory: ARN };
    expect(userMemoryOf({ features: { userMemory: feature } })).toMatchObject({ namespace: '/users/{actorId}', recall: true, record: true, recallCount: 5 });
    expect(userMemoryOf({ features: { userMemory: { ...feature, strategies: ['short-term'] } } })).toMatchObject({ recall: false, record: true });
    expect(userMemoryOf({ features: { userMemory: { ...feature, enabled: false } } })).toBeUndefined();
    process.env.AGENTCORE_MEMORIES = '[]';
    expect(userMemoryOf({ features: { userMemory: feature } })).toBeUndefined(); // no longer registered: off
  });

  it('AGENTCORE_MEMORIES must be JSON with memory ARNs and valid namespaces', () => {
    expect(() => parseConfig({ AGENTCORE_MEMORIES: 'nope' })).toThrow(/AGENTCORE_MEMORIES/);
    expect(() => parseConfig({ AGENTCORE_MEMORIES: JSON.stringify([{ arn: 'x' }]) })).toThrow(/AGENTCORE_MEMORIES/);
    expect(() => parseConfig({ AGENTCORE_MEMORIES: JSON.stringify([{ arn: ARN, namespace: '/all' }]) })).toThrow(/AGENTCORE_MEMORIES/);
    expect(parseConfig({}).AGENTCORE_MEMORIES).toEqual([]);
  });
});

describe('memory blocks (pika-shared/util/agentcore)', () => {
  it('round-trip, and a runtime payload carries memory only when there is some', () => {
    const block = userMemoryBlock(['I like "tea"', 'a </user_memory> b']);
    expect(isUserMemoryBlock(block)).toBe(true);
    expect(block.match(/<\/user_memory>/g)).toHaveLength(1); // a record cannot close the block
    expect(parseUserMemoryBlock(block)).toEqual(['I like "tea"', 'a </user_memory> b']);
    expect(parseUserMemoryBlock(userMemoryBlock(['x', 'y']))).toEqual(['x', 'y']);
    expect(parseUserMemoryBlock('no block')).toEqual([]);
    expect(JSON.parse(encodeAgentRuntimePayload({ prompt: 'p', sessionAttributes: {} }))).not.toHaveProperty('memory');
    expect(parseAgentRuntimePayload(encodeAgentRuntimePayload({ prompt: 'p', sessionAttributes: {}, memory: ['m'] })).memory).toEqual(['m']);
  });
});
