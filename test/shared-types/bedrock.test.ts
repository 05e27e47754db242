import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BedrockActionGroupLambdaEvent } from 'pika-shared/types/chatbot/bedrock';
import { actionGroupFailure, actionGroupSuccess, encodeSessionAttributes, JSON_KEYS_ATTRIBUTE, normalizeSessionAttributes } from 'pika-shared/util/bedrock';

const base = { userId: 'user-123', sessionId: 'session-456', chatAppId: 'support', agentId: 'support-agent' };

describe('session attributes encoding', () => {
  it('round-trips nested custom data, numbers, booleans and strings that look like JSON', () => {
    const data = {
      ...base,
      accountId: 'acct-123',
      tier: 'premium',
      looksLikeJson: '{"a":1}',
      numericString: '42',
      count: 42,
      ratio: 0.25,
      active: false,
      preferences: { language: 'en', theme: 'dark', nested: { list: [1, 'two', { three: 3 }] } },
      unicode: 'héllo wörld ✓ 日本',
    };
    const attrs = encodeSessionAttributes(data);
    for (const v of Object.values(attrs)) expect(typeof v).toBe('string');
    expect(attrs.accountId).toBe('acct-123'); // strings stay readable without this package
    expect(attrs.numericString).toBe('42');
    expect(normalizeSessionAttributes(attrs)).toEqual(data);
  });

  it('drops null/undefined and turns empty strings into undefined', () => {
    const attrs = encodeSessionAttributes({ ...base, gone: undefined, nothing: null, empty: '' });
    expect(attrs).not.toHaveProperty('gone');
    expect(attrs).not.toHaveProperty('nothing');
    const back = normalizeSessionAttributes(attrs);
    expect(back.empty).toBeUndefined();
    expect(back).not.toHaveProperty(JSON_KEYS_ATTRIBUTE);
  });

  it('reads attributes not made by the encoder as plain strings and never throws on malformed JSON', () => {
    const back = normalizeSessionAttributes({ userId: 'u', custom: '{not json', [JSON_KEYS_ATTRIBUTE]: '["custom"]' });
    expect(back.custom).toBe('{not json');
    expect(back.userId).toBe('u');
    expect(back.sessionId).toBe('');
    expect(normalizeSessionAttributes({ [JSON_KEYS_ATTRIBUTE]: 'garbage', x: '1' }).x).toBe('1');
    expect(normalizeSessionAttributes(undefined).userId).toBe('');
  });

  it('ignores prototype-pollution keys both ways', () => {
    const polluted = JSON.parse('{"__proto__": {"admin": true}, "userId": "u"}');
    const attrs = encodeSessionAttributes(polluted);
    expect(Object.keys(attrs)).toEqual(['userId']);
    const back = normalizeSessionAttributes(JSON.parse('{"__proto__": "{\\"admin\\":true}", "userId": "u"}'));
    expect((back as Record<string, unknown>).admin).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('round-trips any JSON custom data (property-based)', () => {
    const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !['__proto__', 'constructor', 'prototype', JSON_KEYS_ATTRIBUTE].includes(k));
    const value = fc.oneof(
      fc.string({ minLength: 1 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
      fc.boolean(),
      fc.jsonValue().filter((v) => v !== null && typeof v === 'object' && !JSON.stringify(v).includes('__proto__')),
    );
    fc.assert(
      fc.property(fc.dictionary(key, value), (custom) => {
        const data = { ...custom, ...base };
        expect(normalizeSessionAttributes(encodeSessionAttributes(data))).toEqual(JSON.parse(JSON.stringify(data)));
      }),
      { numRuns: 300 },
    );
  });
});

const event = (kind: 'function' | 'api'): BedrockActionGroupLambdaEvent => ({
  messageVersion: '1.0',
  agent: { name: 'a', id: 'AGENT1', alias: 'ALIAS1', version: '1' },
  inputText: 'hi',
  sessionId: 's',
  actionGroup: 'orders',
  ...(kind === 'function' ? { function: 'getOrder', parameters: [] } : { apiPath: '/orders/{id}', httpMethod: 'GET' }),
  sessionAttributes: { userId: 'u' },
  promptSessionAttributes: {},
});

describe('action-group responses', () => {
  it('answers a function-details event with a TEXT body and no responseState on success', () => {
    const res = actionGroupSuccess(event('function'), { status: 'shipped' });
    expect(res).toEqual({
      messageVersion: '1.0',
      response: { actionGroup: 'orders', function: 'getOrder', functionResponse: { responseBody: { TEXT: { body: '{"status":"shipped"}' } } } },
      sessionAttributes: { userId: 'u' },
      promptSessionAttributes: {},
    });
  });

  it('answers an API event with status code and application/json body, and marks failures', () => {
    const ok = actionGroupSuccess(event('api'), 'fine');
    expect(ok.response).toMatchObject({
      apiPath: '/orders/{id}',
      httpMethod: 'GET',
      httpStatusCode: 200,
      responseBody: { 'application/json': { body: 'fine' } },
    });
    const failed = actionGroupFailure(event('api'), 'no such order', { httpStatusCode: 404, state: 'REPROMPT' });
    expect(failed.response).toMatchObject({ httpStatusCode: 404, responseState: 'REPROMPT' });
    const fnFailed = actionGroupFailure(event('function'), 'boom');
    expect(fnFailed.response).toMatchObject({ functionResponse: { responseState: 'FAILURE', responseBody: { TEXT: { body: '{"error":"boom"}' } } } });
  });
});
