import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/platform/config';

describe('runtime configuration (functions/platform/config.ts)', () => {
  it('applies the documented defaults to an empty environment', () => {
    expect(parseConfig({})).toMatchObject({
      CONVERSE_RATE_LIMIT: 30,
      WRITE_RATE_LIMIT: 120,
      HEARTBEAT_MS: 10_000,
      HISTORY_MAX_CHARS: 40_000,
      MAX_BODY_BYTES: 256 * 1024,
      CORS_ORIGINS: [],
      ROLE_CONTENT_ADMIN: 'pika:content-admin',
      JWT_USER_ID_CLAIM: 'sub',
    });
  });

  it('coerces numbers and lists', () => {
    const c = parseConfig({ CONVERSE_RATE_LIMIT: '0', CORS_ORIGINS: 'https://a.example.com, https://b.example.com', ITEM_TTL_DAYS: '0.5' });
    expect(c.CONVERSE_RATE_LIMIT).toBe(0);
    expect(c.CORS_ORIGINS).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(c.ITEM_TTL_DAYS).toBe(0.5);
  });

  it('generated insights: sweep every 60 s, no idle override by default; INSIGHTS_IDLE_SECONDS overrides, a bad one is refused', () => {
    expect(parseConfig({})).toMatchObject({ INSIGHTS_SWEEP_SECONDS: 60, INSIGHTS_LEASE_SECONDS: 900 });
    expect(parseConfig({}).INSIGHTS_IDLE_SECONDS).toBeUndefined();
    expect(parseConfig({ INSIGHTS_IDLE_SECONDS: '5', INSIGHTS_SWEEP_SECONDS: '2' })).toMatchObject({ INSIGHTS_IDLE_SECONDS: 5, INSIGHTS_SWEEP_SECONDS: 2 });
    expect(parseConfig({ INSIGHTS_IDLE_SECONDS: '' }).INSIGHTS_IDLE_SECONDS).toBeUndefined();
    expect(() => parseConfig({ INSIGHTS_IDLE_SECONDS: '-1' })).toThrow(/INSIGHTS_IDLE_SECONDS/);
    expect(() => parseConfig({ INSIGHTS_SWEEP_SECONDS: '0' })).toThrow(/INSIGHTS_SWEEP_SECONDS/);
  });

  it('refuses a bad value with an error naming every bad variable', () => {
    const message = (() => {
      try {
        parseConfig({ HEARTBEAT_MS: 'soon', DYNAMODB_ENDPOINT: 'not a url', JWT_SECRET: 'short' });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    for (const name of ['HEARTBEAT_MS', 'DYNAMODB_ENDPOINT', 'JWT_SECRET']) expect(message).toContain(name);
  });

  it('integers, empty values, URLs and the memories list', () => {
    expect(() => parseConfig({ HEARTBEAT_MS: '1.5' })).toThrow(/HEARTBEAT_MS/);
    expect(() => parseConfig({ DYNAMODB_MAX_ATTEMPTS: '11' })).toThrow(/DYNAMODB_MAX_ATTEMPTS/);
    expect(parseConfig({ DYNAMODB_ENDPOINT: '', ITEM_TTL_DAYS: '' })).toMatchObject({ DYNAMODB_ENDPOINT: undefined, ITEM_TTL_DAYS: undefined });
    expect(parseConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }).DYNAMODB_ENDPOINT).toBe('http://127.0.0.1:8000');
    const arn = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/pika_memory-abcdefghij';
    expect(parseConfig({ AGENTCORE_MEMORIES: JSON.stringify([{ arn }]) }).AGENTCORE_MEMORIES).toEqual([{ arn, namespace: '/users/{actorId}' }]);
    expect(parseConfig({}).AGENTCORE_MEMORIES).toEqual([]);
    for (const bad of ['not json', JSON.stringify([{ arn: 'x' }]), JSON.stringify([{ arn, namespace: '/no-actor' }]), JSON.stringify([{ arn, extra: 1 }])]) {
      expect(() => parseConfig({ AGENTCORE_MEMORIES: bad }), bad).toThrow(/AGENTCORE_MEMORIES/);
    }
  });
});
