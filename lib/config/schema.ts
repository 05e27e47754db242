/**
 * The shape of a stage's configuration, validated with zod at synth: a bad value stops `cdk synth` with a
 * message naming every bad field. The stages themselves are in ./stages.ts.
 */
import { agentConfigSchema, idSchema } from 'pika-shared/schemas';
import * as z from 'zod';
import { AGENT_RUNTIME_ARN_PATTERN, HARNESS_ARN_PATTERN } from 'pika-shared/schemas/agentcore';
import { MEMORY_ARN_PATTERN, memoryNamespaceSchema } from 'pika-shared/schemas';
import { ROUTE_GROUPS } from '../../functions/http/routes';
import { capacityIssues } from './capacity';

/** The route functions besides converse (each gets `capacity.routeReservedConcurrency`). */
export const ROUTE_FUNCTIONS = ROUTE_GROUPS.filter((g) => g !== 'converse');

const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653] as const;
const logRetentionSchema = z.number().refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
  message: `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
});

/** Bedrock agent and alias ids are 10 upper-case letters or digits (TSTALIASID is an agent's draft alias). */
const BEDROCK_ID = /^[0-9A-Z]{10}$/;
/** A foundation-model id, a (cross-region) inference-profile id, or the full ARN of either. */
const AGENTCORE_ARN = new RegExp(`(${HARNESS_ARN_PATTERN.source})|(${AGENT_RUNTIME_ARN_PATTERN.source})`);
const MODEL_ID =
  /^(arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{0,12}:(foundation-model|inference-profile|application-inference-profile)\/[\w.:/-]+|[a-z0-9-]+(\.[\w-]+)+(:\d+)?(:[\w.-]+)?)$/;

const throttleSchema = z.strictObject({
  /** Steady-state requests per second. */
  rateLimit: z.number().positive().max(10_000),
  burstLimit: z.number().int().positive().max(5_000),
});

/** An agent registered at deploy: the body of `PUT /admin/agents/{agentId}`, validated by the same schema. */
const agentSchema = agentConfigSchema
  .omit({ agentId: true, createDate: true, lastUpdate: true })
  .strict()
  .superRefine((a, ctx) => {
    if (a.agent.kind === 'bedrock-agent') {
      if (!BEDROCK_ID.test(a.agent.bedrockAgentId))
        ctx.addIssue({ code: 'custom', path: ['agent', 'bedrockAgentId'], message: 'must be a Bedrock agent id (10 upper-case letters or digits)' });
      if (!BEDROCK_ID.test(a.agent.bedrockAgentAliasId))
        ctx.addIssue({ code: 'custom', path: ['agent', 'bedrockAgentAliasId'], message: 'must be a Bedrock agent alias id (10 upper-case letters or digits)' });
    } else if (a.agent.kind === 'inline' && !MODEL_ID.test(a.agent.foundationModel)) {
      ctx.addIssue({ code: 'custom', path: ['agent', 'foundationModel'], message: 'must be a Bedrock model id, inference-profile id or ARN' });
    }
    if (a.titleModel && !MODEL_ID.test(a.titleModel.modelId)) {
      ctx.addIssue({ code: 'custom', path: ['titleModel', 'modelId'], message: 'must be a Bedrock model id, inference-profile id or ARN' });
    }
  });

const jwtClaimsSchema = z
  .strictObject({ userId: z.string().min(1).default('sub'), roles: z.string().min(1).default('roles'), userType: z.string().min(1).default('userType') })
  .default({ userId: 'sub', roles: 'roles', userType: 'userType' });

const jwtSchema = z.discriminatedUnion('kind', [
  /**
   * A shared HS256 key in Secrets Manager: an existing secret by name or complete ARN, or (neither given)
   * one the stack generates. Its SecretString is the key.
   */
  z
    .strictObject({
      kind: z.literal('hs256'),
      secretName: z
        .string()
        .regex(/^[\w/+=.@-]{1,512}$/, 'must be a Secrets Manager secret name')
        .optional(),
      secretArn: z
        .string()
        .regex(
          /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/,
          'must be the complete ARN of a secret (with its 6-character suffix)',
        )
        .optional(),
      issuer: z.string().min(1).optional(),
      audience: z.string().min(1).optional(),
      claims: jwtClaimsSchema,
    })
    .refine((j) => !(j.secretName && j.secretArn), { message: 'give secretName or secretArn, not both', path: ['secretArn'] }),
  /** An OIDC issuer's signing keys (Cognito, Auth0, Entra ID, Okta...). */
  z.strictObject({
    kind: z.literal('jwks'),
    jwksUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }),
    issuer: z.string().min(1),
    audience: z.string().min(1),
    claims: jwtClaimsSchema,
  }),
]);

/** The load a stage is sized for (docs/scaling.md): what converse's throttle and concurrency are derived from. */
const loadSchema = z.strictObject({
  /** Converse turns started per second, sustained. */
  turnsPerSecond: z.number().positive().max(10_000),
  /** How long an answer streams (a turn holds one converse execution for this long). */
  answerSeconds: z.number().positive().max(900),
  /** Peaks above the sustained rate: API Gateway's bucket for converse holds burstFactor × turnsPerSecond requests. */
  burstFactor: z.number().min(1).max(10).default(2),
  /** Margin on the executions the sustained load holds at once. */
  headroom: z.number().min(1).max(5).default(1.2),
  /** Session activities due for generated insights per second (sessions going idle in chat apps with an insights model). */
  insightJobsPerSecond: z.number().min(0).max(10_000).default(0),
  /** How long one insights job takes (at most two model calls). */
  insightJobSeconds: z.number().positive().max(900).default(10),
});

const reservedSchema = z.number().int().min(1).max(100_000);

export const stageConfigSchema = z
  .strictObject({
    stage: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'lower-case letters, digits and dashes, 2-16 characters, starting with a letter'),
    /** Account and region to deploy to. Absent: the stack is environment-agnostic (the CLI's credentials decide). */
    env: z
      .strictObject({
        account: z
          .string()
          .regex(/^\d{12}$/, 'must be a 12-digit account id')
          .optional(),
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region such as us-east-1')
          .optional(),
      })
      .default({}),
    /** RETAIN the table (and the generated JWT key) on stack deletion, with deletion and termination protection. */
    retainData: z.boolean(),
    pointInTimeRecovery: z.boolean(),
    logRetentionDays: logRetentionSchema,
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    /** API Gateway stage throttle (also the usage plan's). */
    throttling: throttleSchema,
    /** A tighter throttle for POST /converse (each call runs an agent). */
    converseThrottling: throttleSchema.optional(),
    /** Browser origins allowed by CORS (`*` allows any). */
    corsOrigins: z.array(z.union([z.url({ protocol: /^https?$/, error: 'must be an http(s) origin' }), z.literal('*')])).min(1),
    jwt: jwtSchema,
    roles: z
      .strictObject({ contentAdmin: z.string().min(1), siteAdmin: z.string().min(1), service: z.string().min(1) })
      .default({ contentAdmin: 'pika:content-admin', siteAdmin: 'pika:site-admin', service: 'pika:service' }),
    /** How long API Gateway caches the authorizer's answer for one Authorization header (0 = no cache). */
    authorizerCacheSeconds: z.number().int().min(0).max(3600).default(300),
    bedrock: z
      .strictObject({
        /**
         * Agents registered in the table at deploy (as `PUT /admin/agents/{agentId}` would, overwriting it when
         * this config changes), with their pricing and title model. Converse may invoke these and nothing else
         * beyond the two lists below.
         */
        agents: z.record(idSchema, agentSchema).default({}),
        /** Agent aliases of agents you register later through /admin/agents: arn:aws:bedrock:<region>:<account>:agent-alias/<agentId>/<aliasId>. */
        additionalAgentAliasArns: z
          .array(z.string().regex(/^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:agent-alias\/[0-9A-Z]{10}\/[0-9A-Z]{10}$/, 'must be an agent-alias ARN'))
          .default([]),
        /** AgentCore harness and runtime ARNs of agents you register later through /admin/agents. */
        additionalAgentCoreArns: z.array(z.string().regex(AGENTCORE_ARN, 'must be an AgentCore harness or runtime ARN')).default([]),
        /** Models of agents registered later (inline foundation models, title models). */
        additionalModelIds: z.array(z.string().regex(MODEL_ID, 'must be a Bedrock model id, inference-profile id or ARN')).default([]),
        /** Allow InvokeInlineAgent although no configured agent is inline (for inline agents registered later). */
        inlineAgents: z.boolean().default(false),
      })
      .default({ agents: {}, additionalAgentAliasArns: [], additionalAgentCoreArns: [], additionalModelIds: [], inlineAgents: false }),
    /**
     * AgentCore memories the chat apps may use for user memory (the `userMemory` feature; docs/deploy.md): each
     * ARN, and the namespace holding one user's records (default `/users/{actorId}`). Converse may recall and
     * record in these only; the users functions list and delete a user's records and events in them.
     */
    agentCoreMemories: z
      .array(z.strictObject({ arn: z.string().regex(MEMORY_ARN_PATTERN, 'must be an AgentCore Memory ARN'), namespace: memoryNamespaceSchema.optional() }))
      .max(20)
      .default([]),
    /**
     * Generated session insights (docs/deploy.md, *Generated insights*): the sweep's schedule, the worker's
     * bounded concurrency, and the Bedrock models chat apps may name as `insightsModel` (the worker may call
     * these and nothing else).
     */
    insights: z
      .strictObject({
        enabled: z.boolean().default(true),
        modelIds: z.array(z.string().regex(MODEL_ID, 'must be a Bedrock model id, inference-profile id or ARN')).default([]),
        sweepMinutes: z.number().int().min(1).max(60).default(5),
        /** Pages per shard one sweep may read and queue (INSIGHTS_SWEEP_ROUNDS): what it can queue per run grows with it. */
        sweepRounds: z.number().int().min(1).max(100).default(1),
        /** Concurrent worker invocations (the SQS event source's maxConcurrency, 2..1000). */
        maxConcurrency: z.number().int().min(2).max(1000).default(2),
        /** Jobs per worker invocation (handled one after the other). */
        batchSize: z.number().int().min(1).max(10).default(5),
      })
      .default({ enabled: true, modelIds: [], sweepMinutes: 5, sweepRounds: 1, maxConcurrency: 2, batchSize: 5 }),
    /**
     * The default retention of chat apps without their own `retentionDays`: a session and all its items and files
     * are deleted this many days after its last activity (DynamoDB TTL + the retention sweep); absent = kept.
     */
    itemTtlDays: z.number().int().positive().max(3650).optional(),
    /** The longest agent answer: converse's Lambda and integration timeout (streaming allows up to 15 minutes). */
    converseTimeoutSeconds: z.number().int().min(30).max(900),
    /**
     * Capacity (docs/scaling.md): the stated load, Lambda concurrency reserved for converse (default: derived
     * from the load) and floors for the authorizer and each route function (reserved concurrency is a floor
     * and a ceiling at once), the account's concurrency quota they come out of, converse's memory.
     */
    capacity: z
      .strictObject({
        load: loadSchema.optional(),
        /** The account's Lambda concurrent-executions quota in the stage's region (AWS default 1,000; raise it before reserving). */
        accountConcurrency: z.number().int().min(100).max(1_000_000).default(1000),
        /** Reserved for converse; default ceil(turnsPerSecond × answerSeconds × headroom) when a load is stated, else none. */
        converseReservedConcurrency: reservedSchema.optional(),
        /** Reserved for the authorizer. */
        authorizerReservedConcurrency: reservedSchema.optional(),
        /** Reserved for each route function besides converse (users, sessions, feedback, insights, widgets, admin). */
        routeReservedConcurrency: reservedSchema.optional(),
        /** Converse's memory (and so CPU share): bench/converse-cpu.ts measures what a turn uses. */
        converseMemoryMb: z.number().int().min(128).max(10_240).default(512),
      })
      .default({ accountConcurrency: 1000, converseMemoryMb: 512 }),
    /** Converse turns per user and window (the functions' own rate limit, stored in the table). */
    converseRateLimit: z.strictObject({ limit: z.number().int().positive(), windowSeconds: z.number().int().positive() }).optional(),
    /** Writes per user and window on the users' own write routes (default 120 per 60 s; limit 0 = off). */
    writeRateLimit: z.strictObject({ limit: z.number().int().min(0), windowSeconds: z.number().int().positive() }).optional(),
    /** Seconds of agent silence after which converse sends an SSE heartbeat comment (default 10; below proxies' idle timeouts). */
    heartbeatSeconds: z.number().int().min(1).max(60).optional(),
    /** How much earlier conversation (characters) is resent to a provider whose session may have expired (default 40 000). */
    historyMaxChars: z.number().int().min(0).max(1_000_000).optional(),
    /** Session items one search may read before it is refused as too broad (SEARCH_READ_BUDGET, default 1000). */
    searchReadBudget: z.number().int().min(1).max(1_000_000).optional(),
    /**
     * Shards of a chat app's session indexes (SESSION_INDEX_SHARDS, default 4): each turn re-sorts its session in
     * one of them (≈ 2 WCU), so size it for 10× a chat app's turns/s ÷ 500; raise it, never lower it (docs/scaling.md).
     */
    sessionIndexShards: z.number().int().min(4).max(256).optional(),
    /** The functions' remaining knobs (each absent: the function's default, functions/platform/config.ts; docs/deploy.md). */
    tuning: z
      .strictObject({
        /** Largest request body accepted (MAX_BODY_BYTES, default 256 KiB; API Gateway caps at 10 MB). */
        maxBodyBytes: z
          .number()
          .int()
          .min(1024)
          .max(10 * 1024 * 1024)
          .optional(),
        /** How long a function keeps chat apps and agents read from the table (CONFIG_CACHE_TTL_SECONDS, default 60). */
        configCacheSeconds: z.number().int().min(0).max(3600).optional(),
        /** How often a running turn checks for a stop request (STOP_POLL_MS, default 1000; one read each). */
        stopPollMs: z.number().int().min(1000).max(60_000).optional(),
        /** Bound on each AgentCore memory call of a turn (MEMORY_TIMEOUT_MS, default 1500). */
        memoryTimeoutMs: z.number().int().min(50).max(10_000).optional(),
        /** Tokens a budgeted turn sets aside while it runs (BUDGET_RESERVE_TOKENS, default 4000; docs/converse.md#budgets). */
        budgetReserveTokens: z.number().int().min(1).max(1_000_000).optional(),
        /** Attempts of each DynamoDB request by the SDK (DYNAMODB_MAX_ATTEMPTS, default 3). */
        dynamoDbMaxAttempts: z.number().int().min(1).max(10).optional(),
        /** Lifetime of presigned upload forms and download links (FILE_UPLOAD_URL_SECONDS, FILE_DOWNLOAD_URL_SECONDS, default 300). */
        uploadUrlSeconds: z.number().int().min(30).max(3600).optional(),
        downloadUrlSeconds: z.number().int().min(30).max(3600).optional(),
        /** How long one step of an erasure or a session purge works before it sends the next (LIFECYCLE_STEP_MS, default 20000). */
        lifecycleStepMs: z.number().int().min(1000).max(50_000).optional(),
      })
      .default({}),
    /** Bundle source maps and run with NODE_OPTIONS=--enable-source-maps: readable stack traces, slower cold starts. */
    sourceMaps: z.boolean().default(false),
    /** Per-method API metrics (needed for per-route-group latency alarms; billed as custom metrics). */
    detailedMetrics: z.boolean().default(true),
    alarms: z
      .strictObject({
        /** p99 latency of the non-streaming routes. */
        latencyP99Ms: z.number().int().positive().default(3000),
        /** Share of requests answered 5xx. */
        serverErrorPercent: z.number().positive().max(100).default(1),
        /** 4xx answers (throttling, abuse, broken clients) per 5 minutes. */
        clientErrorsPer5Min: z.number().int().positive().default(500),
        /** DynamoDB throttle events (table and indexes; and throttled requests per operation) per 5 minutes. */
        dynamoDbThrottlesPer5Min: z.number().int().positive().default(1),
        /** DynamoDB transactions cancelled by a conflicting one per 5 minutes (retried, but a sign of hot items). */
        transactionConflictsPer5Min: z.number().int().positive().default(100),
        /** Age of the oldest insights job waiting in its queue. */
        insightsBacklogSeconds: z.number().int().positive().default(900),
        /** A function with reserved concurrency running at this share of it. */
        concurrencyPercent: z.number().positive().max(100).default(80),
        /** Converse answers that could not be stored (AnswersNotStored) per 5 minutes. */
        answersNotStoredPer5Min: z.number().int().positive().default(1),
        /** Age of the newest debit the usage stream consumer read: how far shared totals (entity and chat-app budgets) trail. */
        usageLagSeconds: z.number().int().positive().default(60),
      })
      .default({
        latencyP99Ms: 3000,
        serverErrorPercent: 1,
        clientErrorsPer5Min: 500,
        dynamoDbThrottlesPer5Min: 1,
        transactionConflictsPer5Min: 100,
        insightsBacklogSeconds: 900,
        concurrencyPercent: 80,
        answersNotStoredPer5Min: 1,
        usageLagSeconds: 60,
      }),
    /** Files attached to messages (the files bucket, lib/constructs/chat-files.ts). */
    files: z
      .strictObject({
        /** Uploads that no message used are deleted this many days after upload. */
        pendingUploadExpiryDays: z.number().int().min(1).max(365).default(1),
      })
      .default({ pendingUploadExpiryDays: 1 }),
    /** An alarm per chat app when its cost of one UTC day reaches `usd` (the CostUsd metric, functions/platform/usage-metrics.ts). */
    dailyCostWarnings: z
      .array(z.strictObject({ chatAppId: z.string().regex(/^[A-Za-z0-9._:@-]{1,128}$/), usd: z.number().positive() }))
      .max(50)
      .default([]),
    /** Alarm notifications go to this address (SNS email subscription, confirmed by mail). */
    alarmEmail: z.email().optional(),
  })
  .superRefine((c, ctx) => {
    for (const field of ['additionalAgentAliasArns', 'additionalAgentCoreArns'] as const) {
      const regions = c.bedrock[field].map((arn) => arn.split(':')[3]);
      if (c.env.region && regions.some((r) => r !== c.env.region))
        ctx.addIssue({ code: 'custom', path: ['bedrock', field], message: `agents must be in the stack's region ${c.env.region}` });
    }
    if (c.converseThrottling && c.converseThrottling.rateLimit > c.throttling.rateLimit) {
      ctx.addIssue({ code: 'custom', path: ['converseThrottling', 'rateLimit'], message: 'must not exceed throttling.rateLimit' });
    }
    if (!c.converseThrottling && c.capacity.load && c.capacity.load.turnsPerSecond > c.throttling.rateLimit) {
      ctx.addIssue({
        code: 'custom',
        path: ['capacity', 'load', 'turnsPerSecond'],
        message: `converse's throttle derived from it must not exceed throttling.rateLimit (${c.throttling.rateLimit})`,
      });
    }
    for (const issue of capacityIssues(c, ROUTE_FUNCTIONS.length)) ctx.addIssue({ code: 'custom', ...issue });
  });

export type StageConfig = z.infer<typeof stageConfigSchema>;
export type StageConfigInput = z.input<typeof stageConfigSchema>;
export type AgentRegistration = z.infer<typeof agentSchema>;

/** Validates a stage configuration; throws one message that names every bad field. */
export function parseStageConfig(input: unknown, label = 'stage'): StageConfig {
  const parsed = stageConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  - ${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('\n');
  throw new Error(`Invalid configuration for ${label} (lib/config/stages.ts):\n${problems}`);
}
