/**
 * The runtime configuration of every function: the environment the stack (lib/pika-chat-stack.ts) or the
 * local server sets, parsed once per container with zod. A bad value stops the function with an error naming
 * the variable. docs/deploy.md lists each knob with the stage setting that sets it. Secrets are never here:
 * only the ARNs of Secrets Manager secrets (./secrets.ts reads them), or, locally and in tests, the plain
 * values.
 */
// zod's functional build: this schema is built in every function's init, where each classic zod schema
// costs several times a functional one (measured: about 6 ms of each function's cold start; docs/benchmarks.md §4).
import * as z from 'zod/mini';
// The memory rules without zod: the public namespace schema is classic zod, which the authorizer (config, jose
// and the logger only) would otherwise load for this one check.
import { MEMORY_ARN_PATTERN, MEMORY_NAMESPACE } from 'pika-shared/schemas/memory-rules';

const text = (min = 1) => z.string().check(z.minLength(min));
const int = (min: number, max: number, fallback: number) => z._default(z.pipe(z.coerce.number(), z.int().check(z.minimum(min), z.maximum(max))), fallback);
/** An empty variable is an unset one (a stage may write `KEY=`). */
const empty = z.pipe(
  z.literal(''),
  z.transform(() => undefined),
);
const optionalUrl = z.union([z.optional(z.url()), empty]);
const list = z.pipe(
  z._default(z.string(), ''),
  z.transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  ),
);

/**
 * The AgentCore memories chat apps may use (AGENTCORE_MEMORIES, JSON): `[{ "arn", "namespace"? }]`. `namespace`
 * (default `/users/{actorId}`) holds every record of one user in that memory: listing and "forget me" work under it.
 */
const memoryNamespace = z
  .string()
  .check(
    z.minLength(MEMORY_NAMESPACE.minLength),
    z.maxLength(MEMORY_NAMESPACE.maxLength),
    z.regex(MEMORY_NAMESPACE.pattern, MEMORY_NAMESPACE.patternMessage),
    z.refine(MEMORY_NAMESPACE.hasActorIdSegment, MEMORY_NAMESPACE.actorIdMessage),
  );
const memories = z.pipe(
  z.pipe(
    z._default(z.string(), '[]'),
    z.transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.issues.push({ code: 'custom', message: 'not JSON', input: s });
        return z.NEVER;
      }
    }),
  ),
  z
    .array(
      z.strictObject({
        arn: z.string().check(z.regex(MEMORY_ARN_PATTERN, 'an AgentCore Memory ARN')),
        namespace: z._default(memoryNamespace, '/users/{actorId}'),
      }),
    )
    .check(z.maxLength(20)),
);

const ENV = z.object({
  // Data
  TABLE_NAME: z.optional(text()),
  DYNAMODB_ENDPOINT: optionalUrl,
  DYNAMODB_MAX_ATTEMPTS: int(1, 10, 3),
  AWS_REGION: z.optional(text()),
  ITEM_TTL_DAYS: z.optional(z.union([empty, z.coerce.number().check(z.positive(), z.maximum(3650))])),
  CONFIG_CACHE_TTL_SECONDS: int(0, 3600, 60),
  // HTTP
  CORS_ORIGINS: list,
  MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024, 256 * 1024),
  // Auth (the HS256 key or the issuer's JWKS; claims; role names)
  JWT_SECRET: z.optional(text(16)),
  JWT_SECRET_ARN: z.optional(text()),
  JWT_JWKS_URL: optionalUrl,
  JWT_ISSUER: z.optional(text()),
  JWT_AUDIENCE: z.optional(text()),
  JWT_USER_ID_CLAIM: z._default(text(), 'sub'),
  JWT_ROLES_CLAIM: z._default(text(), 'roles'),
  JWT_USER_TYPE_CLAIM: z._default(text(), 'userType'),
  ROLE_CONTENT_ADMIN: z._default(text(), 'pika:content-admin'),
  ROLE_SITE_ADMIN: z._default(text(), 'pika:site-admin'),
  ROLE_SERVICE: z._default(text(), 'pika:service'),
  CURSOR_SECRET: z.optional(text(16)),
  CURSOR_SECRET_ARN: z.optional(text()),
  // Rate limits (0 = off)
  CONVERSE_RATE_LIMIT: int(0, 1_000_000, 30),
  CONVERSE_RATE_WINDOW_SECONDS: int(1, 86_400, 60),
  WRITE_RATE_LIMIT: int(0, 1_000_000, 120),
  WRITE_RATE_WINDOW_SECONDS: int(1, 86_400, 60),
  // Converse
  AGENT_TIMEOUT_MS: int(1, 900_000, 120_000),
  HEARTBEAT_MS: int(0, 60_000, 10_000),
  HISTORY_MAX_CHARS: int(0, 1_000_000, 40_000),
  /**
   * Shards of a chat app's session indexes (gsi3, gsi4: keys.ts). Raise it with the chat apps' turn rate, never lower
   * it: a session keeps the shard it was created in, and readers query shards 0..N-1.
   */
  SESSION_INDEX_SHARDS: int(4, 256, 4),
  /** Session items one search may read before it is refused as too broad (SEARCH_TOO_BROAD). */
  SEARCH_READ_BUDGET: int(1, 1_000_000, 1000),
  STOP_POLL_MS: int(1000, 60_000, 1000),
  /** Tokens a turn sets aside on the user's budget while it runs (docs/converse.md#budgets): users' limits hold under races. */
  BUDGET_RESERVE_TOKENS: int(1, 1_000_000, 4000),
  BEDROCK_AGENT_ENDPOINT: optionalUrl,
  BEDROCK_RUNTIME_ENDPOINT: optionalUrl,
  BEDROCK_AGENTCORE_ENDPOINT: optionalUrl,
  // User memory (AgentCore Memory)
  AGENTCORE_MEMORIES: memories,
  /** Bounds each memory call of a turn: the recall (before the first chunk) and recording the exchange (before `done`). */
  MEMORY_TIMEOUT_MS: int(50, 10_000, 1_500),
  // Files: the bucket of uploads (absent: file routes answer 503); S3_ENDPOINT for a local S3 (path-style)
  FILES_BUCKET: z.optional(z.string().check(z.minLength(3), z.maxLength(63))),
  S3_ENDPOINT: optionalUrl,
  FILE_UPLOAD_URL_SECONDS: int(30, 3600, 300),
  FILE_DOWNLOAD_URL_SECONDS: int(30, 3600, 300),
  // Generated session insights (functions/insights)
  /** Overrides every chat app's insightsIdleMinutes (seconds; demos and tests). */
  INSIGHTS_IDLE_SECONDS: z.optional(z.union([empty, z.pipe(z.coerce.number(), z.int().check(z.minimum(0), z.maximum(30 * 86_400)))])),
  /** Pages per shard one sweep may read and queue (functions/insights/sweep.ts): sized to the sessions going idle per run. */
  INSIGHTS_SWEEP_ROUNDS: int(1, 100, 1),
  /** How often `npm start` sweeps for idle sessions (in AWS the EventBridge schedule decides). */
  INSIGHTS_SWEEP_SECONDS: int(1, 86_400, 60),
  /** A queued activity is not queued again for this long (longer than the queue's retries of one job). */
  INSIGHTS_LEASE_SECONDS: int(1, 86_400, 900),
  /** Answers that could not be stored when their turn ended, stored later by the answer-redrive function (AWS; locally in-process). */
  ANSWER_QUEUE_URL: optionalUrl,
  /** The SQS queue the sweep sends due sessions to (AWS; locally the worker runs in-process). */
  INSIGHTS_QUEUE_URL: optionalUrl,
  /** The lifecycle jobs' SQS queue (erasures, large session deletes: functions/lifecycle; locally in-process). */
  LIFECYCLE_QUEUE_URL: optionalUrl,
  /**
   * An erasure's second pass waits this long after the request (at least the longest turn: converse's timeout
   * + margin), so whatever a turn running at the time stored is erased too (docs/security.md#erasure).
   */
  ERASURE_SETTLE_SECONDS: int(0, 3_600, 360),
  /** How long one lifecycle job message works before it hands on to the next (pages, never a whole user at once). */
  LIFECYCLE_STEP_MS: int(100, 600_000, 20_000),
});

export type RuntimeConfig = z.output<typeof ENV>;

/** Every variable the functions read (the deployed stack's environment is checked against it: test/cdk/environment.test.ts). */
export const CONFIG_VARIABLES = Object.keys(ENV.shape) as readonly (keyof RuntimeConfig)[];

/** Parses an environment; throws an Error naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): RuntimeConfig {
  const parsed = ENV.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new Error(`Invalid function configuration (environment): ${problems}`);
}

let current: RuntimeConfig | undefined;
let provided: RuntimeConfig | undefined;

/** This container's configuration: the provided one, else the environment parsed at first use. */
export function config(): RuntimeConfig {
  return provided ?? (current ??= parseConfig(process.env));
}

/**
 * Runs on a configuration of the caller's instead of the one from the process environment (tests, tools):
 * `variables` over the environment, parsed and validated like it. Returns the function that puts the previous
 * configuration back. Clients built from the configuration follow it (./clients.ts).
 */
export function provideConfig(variables: Record<string, string | undefined>): () => void {
  const previous = provided;
  provided = parseConfig({ ...process.env, ...variables });
  return () => {
    provided = previous;
  };
}

/**
 * Forgets the parsed configuration, so the next use parses the environment again: for tests and the local
 * server, which change the environment of one long-lived process (test/setup/config-reset.ts).
 */
export function resetConfig(): void {
  current = undefined;
}
