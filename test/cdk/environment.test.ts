/**
 * Every variable the functions read (functions/platform/config.ts) is set by the stack from a stage setting, or is
 * one the stack leaves alone on purpose (local endpoints and secrets, Lambda's own, dev-only knobs): a knob
 * nobody can set is a doc promise that does not hold (docs/deploy.md#what-the-functions-read).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../functions/platform/config';
import { resourcesOf, synthStage, type Synthesized } from './helpers';

/** Not set by the stack, and why. */
const NOT_SET: Record<string, string> = {
  DYNAMODB_ENDPOINT: 'local: DynamoDB Local or the contention front',
  BEDROCK_AGENT_ENDPOINT: 'local: the agent emulator',
  BEDROCK_RUNTIME_ENDPOINT: 'local: the agent emulator',
  BEDROCK_AGENTCORE_ENDPOINT: 'local: the agent emulator',
  S3_ENDPOINT: 'local: the S3 server on loopback',
  JWT_SECRET: 'local: in AWS the key is read from Secrets Manager (JWT_SECRET_ARN)',
  CURSOR_SECRET: 'local: in AWS the key is read from Secrets Manager (CURSOR_SECRET_ARN)',
  AWS_REGION: 'set by Lambda itself',
  INSIGHTS_IDLE_SECONDS: 'demos and tests: overrides every chat app’s insightsIdleMinutes',
  INSIGHTS_SWEEP_SECONDS: 'npm start only: in AWS the EventBridge schedule decides',
};

let s: Synthesized;
/** A stage whose tokens come from an issuer's JWKS (dev's are signed with a secret). */
let jwks: Synthesized;
beforeAll(() => {
  jwks = synthStage('dev', {
    overrides: { jwt: { kind: 'jwks', jwksUrl: 'https://login.example.com/jwks', issuer: 'https://login.example.com/', audience: 'chat' } },
  });
  s = synthStage('dev', {
    overrides: {
      heartbeatSeconds: 10,
      historyMaxChars: 40_000,
      searchReadBudget: 1000,
      sessionIndexShards: 8,
      converseRateLimit: { limit: 30, windowSeconds: 60 },
      writeRateLimit: { limit: 120, windowSeconds: 60 },
      tuning: {
        maxBodyBytes: 262_144,
        configCacheSeconds: 30,
        stopPollMs: 2000,
        memoryTimeoutMs: 1000,
        budgetReserveTokens: 2000,
        dynamoDbMaxAttempts: 4,
        uploadUrlSeconds: 120,
        downloadUrlSeconds: 120,
        lifecycleStepMs: 15_000,
      },
    },
  });
});
afterAll(() => {
  s?.cleanup();
  jwks?.cleanup();
});

describe('the functions’ environment', () => {
  it('every variable a function reads is set from a stage setting, or listed as left alone with its reason', () => {
    const set = new Set(
      [s, jwks].flatMap((x) => resourcesOf(x, 'AWS::Lambda::Function').flatMap(([, r]) => Object.keys(r.Properties.Environment?.Variables ?? {}))),
    );
    const unset = CONFIG_VARIABLES.filter((v) => !set.has(v) && !(v in NOT_SET));
    expect(unset).toEqual([]);
    // And nothing on the list is set after all (the list stays true).
    expect(Object.keys(NOT_SET).filter((v) => set.has(v))).toEqual([]);
  });

  it('a stage’s tuning reaches converse as the variables the functions parse', () => {
    const converse = resourcesOf(s, 'AWS::Lambda::Function').find(([, r]) => r.Properties.Environment?.Variables?.STOP_POLL_MS)!;
    expect(converse[1].Properties.Environment.Variables).toMatchObject({ STOP_POLL_MS: '2000', BUDGET_RESERVE_TOKENS: '2000', MAX_BODY_BYTES: '262144' });
  });
});
