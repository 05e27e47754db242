/**
 * The stages of this deployment, in one typed module (shape and validation: ./schema.ts). Edit them, or add
 * one, for your environments: docs/deploy.md explains every setting. The Bedrock agent ids and the JWT
 * issuer below are placeholders to replace with your own.
 */
import { parseStageConfig, type StageConfig, type StageConfigInput } from './schema';

export { parseStageConfig, stageConfigSchema, type StageConfig, type StageConfigInput } from './schema';

const haiku = 'anthropic.claude-3-haiku-20240307-v1:0';
const haikuPricing = { inputPer1kTokens: 0.00025, outputPer1kTokens: 0.00125 };

export const STAGES = {
  dev: {
    stage: 'dev',
    retainData: false,
    pointInTimeRecovery: false,
    logRetentionDays: 14,
    logLevel: 'DEBUG',
    throttling: { rateLimit: 50, burstLimit: 100 },
    corsOrigins: ['http://localhost:5173'],
    // The stack generates the HS256 key in Secrets Manager (output JwtSecretArn).
    jwt: { kind: 'hs256' },
    bedrock: {
      agents: {
        support: {
          description: 'Support agent (placeholder ids: put your agent and alias here)',
          agent: { kind: 'bedrock-agent', bedrockAgentId: 'DEVAGENT01', bedrockAgentAliasId: 'TSTALIASID' },
          pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
          titleModel: { modelId: haiku, pricing: haikuPricing },
        },
        assistant: {
          description: 'An AgentCore harness, the recommended path for new agents (placeholder ARN: put yours here)',
          agent: { kind: 'agentcore-harness', harnessArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/assistant-DEVHARNES1' },
          pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
          titleModel: { modelId: haiku, pricing: haikuPricing },
        },
      },
    },
    // User memory: the AgentCore memory chat apps may use (placeholder ARN: create yours, docs/deploy.md).
    agentCoreMemories: [{ arn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/pika_users-DEVMEMORY1' }],
    // Chat apps may set insightsModel to this model (generated session insights).
    insights: { modelIds: [haiku] },
    itemTtlDays: 30,
    converseTimeoutSeconds: 300,
    detailedMetrics: false,
  },
  staging: {
    stage: 'staging',
    // No capacity settings: no reserved concurrency (an account of 1,000 executions cannot reserve much), converse
    // throttled by converseThrottling below; docs/scaling.md sizes a stage for a stated load (see prod).
    retainData: false,
    pointInTimeRecovery: true,
    logRetentionDays: 30,
    throttling: { rateLimit: 100, burstLimit: 200 },
    converseThrottling: { rateLimit: 20, burstLimit: 40 },
    corsOrigins: ['https://staging.chat.example.com'],
    // An HS256 key you created and share with your token issuer (aws secretsmanager create-secret ...).
    jwt: { kind: 'hs256', secretName: 'pika-chat/staging/jwt-key', issuer: 'https://auth.example.com/', audience: 'pika-chat' },
    bedrock: {
      agents: {
        support: {
          agent: { kind: 'bedrock-agent', bedrockAgentId: 'STGAGENT01', bedrockAgentAliasId: 'STGALIAS01' },
          pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
          titleModel: { modelId: haiku, pricing: haikuPricing },
        },
        orders: {
          description: 'A code-defined agent on AgentCore Runtime (placeholder ARN: put yours here)',
          agent: { kind: 'agentcore-runtime', agentRuntimeArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/orders_agent-STGRUNTIM1' },
          pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
        },
        assistant: {
          description: 'An AG-UI server on AgentCore Runtime (server protocol AGUI; placeholder ARN: put yours here)',
          agent: {
            kind: 'agentcore-runtime',
            agentRuntimeArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/assistant_agui-STGRUNTIM2',
            protocol: 'AGUI',
          },
          pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
        },
        faq: {
          description: 'An inline agent: no Bedrock agent resource, the definition is sent with each call',
          agent: {
            kind: 'inline',
            foundationModel: haiku,
            instruction: 'You answer questions about our product briefly and politely, in the language of the question.',
          },
          pricing: haikuPricing,
        },
      },
    },
    converseTimeoutSeconds: 300,
  },
  prod: {
    stage: 'prod',
    // 10× a chat app's goal of 1,000 turns/s: 10,000 re-sorts/s × ≈ 2 WCU over 1,000 WCU/s per shard ≈ 20 → 32.
    sessionIndexShards: 32,
    retainData: true,
    pointInTimeRecovery: true,
    logRetentionDays: 365,
    // Every route: converse's 200/s plus the calls around the turns (sessions, messages, feedback...).
    throttling: { rateLimit: 1000, burstLimit: 2000 },
    // converseThrottling: derived from capacity.load (200/s, bucket 400); set it to override.
    corsOrigins: ['https://chat.example.com'],
    jwt: { kind: 'jwks', jwksUrl: 'https://auth.example.com/.well-known/jwks.json', issuer: 'https://auth.example.com/', audience: 'pika-chat' },
    bedrock: {
      agents: {
        // New agents are AgentCore agents: Bedrock Agents "Classic" is closed to new customers since 2026-07-30.
        // An existing Classic agent is registered the same way with
        //   agent: { kind: 'bedrock-agent', bedrockAgentId: '<10 characters>', bedrockAgentAliasId: '<10 characters>' }
        // (the staging stage above has one; docs/deploy.md, "An Agents Classic agent").
        assistant: {
          description: 'An AgentCore harness (placeholder ARN: put yours here)',
          agent: { kind: 'agentcore-harness', harnessArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/assistant-PRODHARNS1' },
          pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
          titleModel: { modelId: `us.${haiku}`, pricing: haikuPricing },
        },
      },
    },
    /**
     * Sized for a stated load (docs/scaling.md): 200 turns/s sustained, 30 s answers, peaks of 2× for 2 s,
     * 20% headroom → converse reserves 200 × 30 × 1.2 = 7,200 executions and is throttled at 200/s (bucket
     * 400). The authorizer and every route function keep a floor of 100. 7,200 + 100 + 6 × 100 = 7,900
     * reserved: the account's concurrency quota (1,000 by default) must be raised to 10,000 in the region first.
     * Insights: 40 sessions going idle per second (5 turns each), 10 s per job → 480 workers.
     */
    capacity: {
      load: { turnsPerSecond: 200, answerSeconds: 30, burstFactor: 2, headroom: 1.2, insightJobsPerSecond: 40, insightJobSeconds: 10 },
      accountConcurrency: 10_000,
      authorizerReservedConcurrency: 100,
      routeReservedConcurrency: 100,
      converseMemoryMb: 512,
    },
    // 40 idle sessions/s × 60 s = 2,400 per run: 16 rounds of 4 shards × 50 (3,200).
    insights: { modelIds: [`us.${haiku}`], sweepMinutes: 1, sweepRounds: 16, maxConcurrency: 480, batchSize: 5 },
    converseTimeoutSeconds: 300,
    converseRateLimit: { limit: 30, windowSeconds: 60 },
    // Retention: a session and everything in it (messages, feedback, insights, files) are deleted a year after
    // its last activity unless its chat app sets its own retentionDays (docs/security.md, what is kept).
    itemTtlDays: 365,
    dailyCostWarnings: [{ chatAppId: 'support', usd: 100 }],
    alarmEmail: 'oncall@example.com',
  },
} satisfies Record<string, StageConfigInput>;

export type StageName = keyof typeof STAGES;
export const STAGE_NAMES = Object.keys(STAGES) as StageName[];

/** The validated config of a configured stage (with optional overrides); throws a message naming every bad field. */
export function stageConfig(stage: string, overrides: Partial<StageConfigInput> = {}): StageConfig {
  const raw = (STAGES as Record<string, StageConfigInput>)[stage];
  if (!raw) throw new Error(`Unknown stage "${stage}". Configured stages: ${STAGE_NAMES.join(', ')} (lib/config/stages.ts)`);
  return parseStageConfig({ ...raw, ...overrides }, `stage "${stage}"`);
}
