/**
 * Per-stage configuration, in one typed module, validated with zod at synth: a bad value fails `cdk synth`
 * with a message naming the field. Edit the stages below (or add one) for your environments.
 */
import { z } from 'zod';

const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653] as const;
const arn = (service: string) => z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be an ${service} ARN`);

export const stageConfigSchema = z.strictObject({
  stage: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'lower-case letters, digits and dashes, 2-16 characters'),
  /** Account and region to deploy to (default: the CLI's). */
  env: z.strictObject({ account: z.string().regex(/^\d{12}$/).optional(), region: z.string().min(1).optional() }).default({}),
  /** Data survives stack deletion (RETAIN) and the table has deletion protection. */
  retainData: z.boolean(),
  pointInTimeRecovery: z.boolean(),
  logRetentionDays: z.union(LOG_RETENTION_DAYS.map((d) => z.literal(d)) as [z.ZodLiteral<1>, ...z.ZodLiteral<number>[]]),
  throttling: z.strictObject({ rateLimit: z.number().positive().max(10_000), burstLimit: z.number().int().positive().max(5_000) }),
  /** Usage-plan quota per API key-less client is not used; the stage throttle applies to everyone. */
  corsOrigins: z.array(z.url().or(z.literal('*'))).min(1),
  jwt: z.discriminatedUnion('kind', [
    /** A shared HS256 secret kept in Secrets Manager (created by the stack unless secretArn is given). */
    z.strictObject({ kind: z.literal('hs256'), secretArn: arn('secretsmanager').optional(), issuer: z.string().optional(), audience: z.string().optional() }),
    /** An OIDC issuer's signing keys. */
    z.strictObject({ kind: z.literal('jwks'), jwksUrl: z.url(), issuer: z.string().min(1), audience: z.string().min(1) }),
  ]),
  roles: z.strictObject({ contentAdmin: z.string(), siteAdmin: z.string(), service: z.string() }).default({ contentAdmin: 'pika:content-admin', siteAdmin: 'pika:site-admin', service: 'pika:service' }),
  bedrock: z.strictObject({
    /** Agent aliases converse may invoke: arn:aws:bedrock:region:account:agent-alias/AGENTID/ALIASID */
    agentAliasArns: z.array(arn('bedrock')),
    /** Foundation models for inline agents (InvokeInlineAgent) and titles (InvokeModel/Converse). */
    modelArns: z.array(arn('bedrock')),
  }),
  /** Sessions, messages, feedback and insights expire after this many days (DynamoDB TTL). */
  itemTtlDays: z.number().int().positive().optional(),
  /** Agent answers may take this long (the converse function's and integration's timeout). */
  converseTimeoutSeconds: z.number().int().min(30).max(900),
  alarmEmail: z.email().optional(),
});

export type StageConfig = z.infer<typeof stageConfigSchema>;

const region = 'us-east-1';
const model = (id: string) => `arn:aws:bedrock:${region}::foundation-model/${id}`;

/** The stages of this deployment. Replace the agent ARNs with your own (docs/deploy.md). */
export const STAGES: Record<string, z.input<typeof stageConfigSchema>> = {
  dev: {
    stage: 'dev',
    retainData: false,
    pointInTimeRecovery: false,
    logRetentionDays: 14,
    throttling: { rateLimit: 50, burstLimit: 100 },
    corsOrigins: ['http://localhost:5173'],
    jwt: { kind: 'hs256' },
    bedrock: { agentAliasArns: [`arn:aws:bedrock:${region}:123456789012:agent-alias/DEVAGENT01/TSTALIASID`], modelArns: [model('anthropic.claude-3-haiku-20240307-v1:0')] },
    itemTtlDays: 30,
    converseTimeoutSeconds: 300,
  },
  staging: {
    stage: 'staging',
    retainData: false,
    pointInTimeRecovery: true,
    logRetentionDays: 30,
    throttling: { rateLimit: 100, burstLimit: 200 },
    corsOrigins: ['https://staging.chat.example.com'],
    jwt: { kind: 'jwks', jwksUrl: 'https://auth.example.com/.well-known/jwks.json', issuer: 'https://auth.example.com/', audience: 'pika-chat' },
    bedrock: { agentAliasArns: [`arn:aws:bedrock:${region}:123456789012:agent-alias/STGAGENT01/STGALIAS01`], modelArns: [model('anthropic.claude-3-haiku-20240307-v1:0')] },
    converseTimeoutSeconds: 300,
  },
  prod: {
    stage: 'prod',
    retainData: true,
    pointInTimeRecovery: true,
    logRetentionDays: 365,
    throttling: { rateLimit: 500, burstLimit: 1000 },
    corsOrigins: ['https://chat.example.com'],
    jwt: { kind: 'jwks', jwksUrl: 'https://auth.example.com/.well-known/jwks.json', issuer: 'https://auth.example.com/', audience: 'pika-chat' },
    bedrock: { agentAliasArns: [`arn:aws:bedrock:${region}:123456789012:agent-alias/PRODAGENT1/PRODALIAS1`], modelArns: [model('anthropic.claude-3-haiku-20240307-v1:0')] },
    converseTimeoutSeconds: 300,
    alarmEmail: 'oncall@example.com',
  },
};

/** The validated config of a stage; throws a message that names every bad field. */
export function stageConfig(stage: string, overrides: Partial<z.input<typeof stageConfigSchema>> = {}): StageConfig {
  const raw = STAGES[stage];
  if (!raw) throw new Error(`Unknown stage "${stage}". Configured stages: ${Object.keys(STAGES).join(', ')} (lib/config/stages.ts)`);
  const parsed = stageConfigSchema.safeParse({ ...raw, ...overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration for stage "${stage}" (lib/config/stages.ts):\n${problems}`);
  }
  return parsed.data;
}
