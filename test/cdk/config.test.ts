/** Stage configuration: every configured stage is valid; a bad one fails synth with a message naming the field. */
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { bedrockAccess, modelResourceArns } from '../../lib/config/bedrock';
import { parseStageConfig, STAGE_NAMES, STAGES, stageConfig, type StageConfigInput } from '../../lib/config/stages';
import { PikaChatStack } from '../../lib/pika-chat-stack';

const dev = STAGES.dev as StageConfigInput;

describe('stage configuration', () => {
  it('every configured stage is valid, with defaults filled in', () => {
    expect(STAGE_NAMES).toEqual(['dev', 'staging', 'prod']);
    for (const stage of STAGE_NAMES) {
      const c = stageConfig(stage);
      expect(c.stage).toBe(stage);
      expect(c.roles.contentAdmin).toBe('pika:content-admin');
      expect(c.jwt.claims.userId).toBe('sub');
    }
    expect(stageConfig('prod')).toMatchObject({ retainData: true, pointInTimeRecovery: true });
  });

  it.each([
    ['a negative throttle', { throttling: { rateLimit: -1, burstLimit: 10 } }, /throttling\.rateLimit: Too small/],
    ['a retention CloudWatch does not offer', { logRetentionDays: 10 }, /logRetentionDays: must be one of CloudWatch's retention periods/],
    ['a converse timeout beyond 15 minutes', { converseTimeoutSeconds: 901 }, /converseTimeoutSeconds: Too big/],
    ['an unknown setting (a typo)', { retainDate: true } as never, /\(root\): Unrecognized key: "retainDate"/],
    ['a CORS origin that is not a URL', { corsOrigins: ['example.com'] }, /corsOrigins\.0/],
    [
      'a JWKS URL over http',
      { jwt: { kind: 'jwks', jwksUrl: 'http://auth.example.com/jwks', issuer: 'i', audience: 'a' } },
      /jwt\.jwksUrl: must be an https URL/,
    ],
    [
      'both a secret name and ARN',
      { jwt: { kind: 'hs256', secretName: 'a', secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf' } },
      /jwt\.secretArn: give secretName or secretArn, not both/,
    ],
    [
      'an incomplete secret ARN',
      { jwt: { kind: 'hs256', secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:a' } },
      /jwt\.secretArn: must be the complete ARN/,
    ],
    [
      'a malformed Bedrock agent id',
      {
        bedrock: {
          agents: {
            support: {
              agent: { kind: 'bedrock-agent', bedrockAgentId: 'abc', bedrockAgentAliasId: 'TSTALIASID' },
              pricing: { inputPer1kTokens: 0, outputPer1kTokens: 0 },
            },
          },
        },
      },
      /bedrock\.agents\.support\.agent\.bedrockAgentId: must be a Bedrock agent id/,
    ],
    [
      'negative pricing (the admin API\u2019s own schema)',
      {
        bedrock: {
          agents: {
            support: {
              agent: { kind: 'bedrock-agent', bedrockAgentId: 'ABCDEFGHIJ', bedrockAgentAliasId: 'TSTALIASID' },
              pricing: { inputPer1kTokens: -1, outputPer1kTokens: 0 },
            },
          },
        },
      },
      /bedrock\.agents\.support\.pricing\.inputPer1kTokens/,
    ],
    [
      'an agent alias ARN that is not one',
      { bedrock: { additionalAgentAliasArns: ['arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ'] } },
      /bedrock\.additionalAgentAliasArns\.0: must be an agent-alias ARN/,
    ],
    [
      'a title model that is not a model id',
      { bedrock: { additionalModelIds: ['claude please'] } },
      /bedrock\.additionalModelIds\.0: must be a Bedrock model id/,
    ],
    [
      'a converse throttle above the stage throttle',
      { converseThrottling: { rateLimit: 1000, burstLimit: 10 } },
      /converseThrottling\.rateLimit: must not exceed throttling\.rateLimit/,
    ],
  ] as [string, Partial<StageConfigInput>, RegExp][])('rejects %s, naming the field', (_, override, message) => {
    expect(() => stageConfig('dev', override)).toThrow(message);
    expect(() => stageConfig('dev', override)).toThrow(/^Invalid configuration for stage "dev" \(lib\/config\/stages\.ts\):\n {2}- /);
  });

  it('names every bad field at once', () => {
    let message = '';
    try {
      parseStageConfig({ ...dev, logRetentionDays: 2, converseTimeoutSeconds: 1, alarmEmail: 'nope' }, 'stage "x"');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(
      message
        .split('\n')
        .filter((l) => l.startsWith('  - '))
        .map((l) => l.slice(4, l.indexOf(':'))),
    ).toEqual(['logRetentionDays', 'converseTimeoutSeconds', 'alarmEmail']);
  });

  it('an unknown stage names the configured ones', () => {
    expect(() => stageConfig('qa')).toThrow('Unknown stage "qa". Configured stages: dev, staging, prod');
  });

  it('the stack validates its configuration itself: a bad one fails synth before any resource exists', () => {
    const app = new App();
    expect(() => new PikaChatStack(app, 'PikaChat-broken', { config: { ...dev, stage: 'Bad Stage', throttling: { rateLimit: 0, burstLimit: 1 } } })).toThrow(
      /Invalid configuration for stack PikaChat-broken[\s\S]*- stage: lower-case letters[\s\S]*- throttling\.rateLimit/,
    );
    expect(app.node.tryFindChild('PikaChat-broken')).toBeUndefined();
  });
});

describe('Bedrock resources derived from the configuration', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '111122223333', region: 'eu-west-1' } });

  it('a foundation model is granted in the stack\u2019s region; a cross-region profile as the profile plus its model in any region', () => {
    expect(modelResourceArns(stack, 'anthropic.claude-3-haiku-20240307-v1:0')).toEqual([
      `arn:${stack.partition}:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`,
    ]);
    expect(modelResourceArns(stack, 'eu.amazon.nova-micro-v1:0')).toEqual([
      `arn:${stack.partition}:bedrock:eu-west-1:111122223333:inference-profile/eu.amazon.nova-micro-v1:0`,
      `arn:${stack.partition}:bedrock:*::foundation-model/amazon.nova-micro-v1:0`,
    ]);
    const arn = 'arn:aws:bedrock:eu-west-1:111122223333:application-inference-profile/abc123';
    expect(modelResourceArns(stack, arn)).toEqual([arn]);
  });

  it('agent aliases from registered agents and additional ARNs; InvokeInlineAgent only with inline agents', () => {
    const c = stageConfig('staging');
    const access = bedrockAccess(stack, c.bedrock);
    expect(access.agentAliasArns).toEqual([`arn:${stack.partition}:bedrock:eu-west-1:111122223333:agent-alias/STGAGENT01/STGALIAS01`]);
    expect(access.inlineAgents).toBe(true);
    expect(access.streamingModelArns).toHaveLength(1); // the inline agent's model, which is also the title model
    expect(access.modelArns).toEqual([]);
    expect(bedrockAccess(stack, stageConfig('dev').bedrock).inlineAgents).toBe(false);
  });
});
