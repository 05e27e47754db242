import { Annotations, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ROUTES, type RouteDef } from '../functions/http/routes';
import { bedrockAccess } from './config/bedrock';
import { capacityOf, sweepShortfall, type Capacity } from './config/capacity';
import { parseStageConfig, ROUTE_FUNCTIONS, type StageConfig, type StageConfigInput } from './config/schema';
import { acknowledgeAgentProvider, ChatAgents } from './constructs/chat-agents';
import { ChatApi } from './constructs/chat-api';
import { ChatFunctions, type SecretRef } from './constructs/chat-functions';
import { ChatRedrive } from './constructs/chat-redrive';
import { ChatRetention } from './constructs/chat-retention';
import { ChatLifecycle } from './constructs/chat-lifecycle';
import { ChatUsage } from './constructs/chat-usage';
import { ChatInsights } from './constructs/chat-insights';
import { modelResourceArns } from './config/bedrock';
import { ChatObservability } from './constructs/chat-observability';
import { ChatTable } from './constructs/chat-table';
import { ChatFiles } from './constructs/chat-files';
import { acknowledgeNag } from './nag';

export interface PikaChatStackProps extends StackProps {
  /** A stage's configuration (lib/config/stages.ts); validated here, so a bad one fails synth. */
  readonly config: StageConfigInput | StageConfig;
}

/** One environment of the chat backend: table, functions, REST API with streaming converse, alarms. */
export class PikaChatStack extends Stack {
  readonly config: StageConfig;
  /** Converse's throttle and the reserved concurrency deployed (lib/config/capacity.ts, docs/scaling.md). */
  readonly capacity: Capacity;
  readonly table: ChatTable;
  readonly files: ChatFiles;
  readonly functions: ChatFunctions;
  readonly api: ChatApi;
  readonly observability: ChatObservability;
  /** Generated session insights (schedule, queue, dead-letter queue), unless the stage disables them. */
  readonly insights: ChatInsights | undefined;
  readonly retention: ChatRetention;

  constructor(scope: Construct, id: string, props: PikaChatStackProps) {
    const { config, ...stackProps } = props;
    const c = parseStageConfig(config, `stack ${id}`);
    const env =
      c.env.account || c.env.region ? { ...(c.env.account ? { account: c.env.account } : {}), ...(c.env.region ? { region: c.env.region } : {}) } : undefined;
    super(scope, id, { ...(env ? { env } : {}), terminationProtection: c.retainData, ...stackProps });
    this.config = c;
    const routes = ROUTES as readonly RouteDef[];
    const cap = capacityOf(c, ROUTE_FUNCTIONS.length);
    this.capacity = cap;
    const shortfall = sweepShortfall(c);
    if (shortfall) Annotations.of(this).addWarningV2('pika:insights-sweep-ceiling', shortfall);

    this.table = new ChatTable(this, 'Data', { retainData: c.retainData, pointInTimeRecovery: c.pointInTimeRecovery });
    if (!c.pointInTimeRecovery) {
      acknowledgeNag(
        this.table,
        'AwsSolutions-DDB3',
        `Point-in-time recovery is a per-stage setting (lib/config/stages.ts), off for the disposable "${c.stage}" stage.`,
      );
    }

    this.files = new ChatFiles(this, 'Files', {
      retainData: c.retainData,
      corsOrigins: c.corsOrigins,
      pendingUploadExpiryDays: c.files.pendingUploadExpiryDays,
      logRetentionDays: c.logRetentionDays,
    });

    const { jwtSecret, cursorSecret } = this.secrets(c);
    const jwtEnv: Record<string, string> =
      c.jwt.kind === 'jwks'
        ? { JWT_JWKS_URL: c.jwt.jwksUrl, JWT_ISSUER: c.jwt.issuer, JWT_AUDIENCE: c.jwt.audience }
        : { ...(c.jwt.issuer ? { JWT_ISSUER: c.jwt.issuer } : {}), ...(c.jwt.audience ? { JWT_AUDIENCE: c.jwt.audience } : {}) };

    this.functions = new ChatFunctions(this, 'Functions', {
      table: this.table.table,
      serviceName: `pika-chat-${c.stage}`,
      logLevel: c.logLevel,
      logRetentionDays: c.logRetentionDays,
      environment: {
        ...jwtEnv,
        JWT_USER_ID_CLAIM: c.jwt.claims.userId,
        JWT_ROLES_CLAIM: c.jwt.claims.roles,
        JWT_USER_TYPE_CLAIM: c.jwt.claims.userType,
        ROLE_CONTENT_ADMIN: c.roles.contentAdmin,
        ROLE_SITE_ADMIN: c.roles.siteAdmin,
        ROLE_SERVICE: c.roles.service,
        CORS_ORIGINS: c.corsOrigins.join(','),
        FILES_BUCKET: this.files.bucket.bucketName,
        // The agent call is cut 10 s before the function's timeout, so a failed turn is still stored.
        AGENT_TIMEOUT_MS: String((c.converseTimeoutSeconds - 10) * 1000),
        ...(c.itemTtlDays ? { ITEM_TTL_DAYS: String(c.itemTtlDays) } : {}),
        ...(c.converseRateLimit
          ? { CONVERSE_RATE_LIMIT: String(c.converseRateLimit.limit), CONVERSE_RATE_WINDOW_SECONDS: String(c.converseRateLimit.windowSeconds) }
          : {}),
        ...(c.writeRateLimit ? { WRITE_RATE_LIMIT: String(c.writeRateLimit.limit), WRITE_RATE_WINDOW_SECONDS: String(c.writeRateLimit.windowSeconds) } : {}),
        ...(c.heartbeatSeconds !== undefined ? { HEARTBEAT_MS: String(c.heartbeatSeconds * 1000) } : {}),
        ...(c.historyMaxChars !== undefined ? { HISTORY_MAX_CHARS: String(c.historyMaxChars) } : {}),
        ...(c.searchReadBudget !== undefined ? { SEARCH_READ_BUDGET: String(c.searchReadBudget) } : {}),
        ...(c.sessionIndexShards !== undefined ? { SESSION_INDEX_SHARDS: String(c.sessionIndexShards) } : {}),
        ...(c.agentCoreMemories.length ? { AGENTCORE_MEMORIES: JSON.stringify(c.agentCoreMemories) } : {}),
        ...tuningEnvironment(c.tuning),
      },
      memoryArns: c.agentCoreMemories.map((m) => m.arn),
      ...(jwtSecret ? { jwtSecret } : {}),
      cursorSecret,
      bedrock: bedrockAccess(this, c.bedrock),
      sourceMaps: c.sourceMaps,
      sizes: { converse: { memoryMb: c.capacity.converseMemoryMb, timeoutSeconds: c.converseTimeoutSeconds } },
      reservedConcurrency: {
        ...(cap.converseReserved !== undefined ? { converse: cap.converseReserved } : {}),
        ...(cap.authorizerReserved !== undefined ? { authorizer: cap.authorizerReserved } : {}),
        ...(cap.routeReserved !== undefined ? Object.fromEntries(ROUTE_FUNCTIONS.map((g) => [g, cap.routeReserved])) : {}),
      },
      ...(c.insights.enabled ? { insights: { modelArns: [...new Set(c.insights.modelIds.flatMap((id) => modelResourceArns(this, id)))] } } : {}),
    });
    const sweep = this.functions.background.get('insights-sweep');
    const worker = this.functions.background.get('insights-worker');
    this.insights =
      sweep && worker
        ? new ChatInsights(this, 'Insights', {
            sweep,
            worker,
            sweepMinutes: c.insights.sweepMinutes,
            sweepRounds: c.insights.sweepRounds,
            maxConcurrency: c.insights.maxConcurrency,
            batchSize: c.insights.batchSize,
          })
        : undefined;

    const usage = new ChatUsage(this, 'Usage', { table: this.table.table, consumer: this.functions.usageStream });
    const converseFn = this.functions.byGroup.get('converse');
    const redrive = converseFn ? new ChatRedrive(this, 'Redrive', { sender: converseFn, worker: this.functions.answerRedrive }) : undefined;

    this.retention = new ChatRetention(this, 'Retention', { sweep: this.functions.retentionSweep });
    const lifecycle = new ChatLifecycle(this, 'Lifecycle', {
      worker: this.functions.lifecycleWorker,
      senders: (['users', 'sessions'] as const).flatMap((g) => this.functions.byGroup.get(g) ?? []),
      filesBucket: this.files.bucket,
      converseTimeoutSeconds: c.converseTimeoutSeconds,
    });

    for (const [name, fn] of [
      ...this.functions.byGroup,
      ['authorizer', this.functions.authorizer] as const,
      ['retention-sweep', this.functions.retentionSweep] as const,
      ['lifecycle-worker', this.functions.lifecycleWorker] as const,
    ])
      this.files.grant(name, fn);

    new ChatAgents(this, 'Agents', { table: this.table.table, agents: c.bedrock.agents });
    acknowledgeAgentProvider(this);

    this.api = new ChatApi(this, 'Http', {
      stage: c.stage,
      routes,
      functions: this.functions.byGroup,
      authorizer: this.functions.authorizer,
      authorizerCacheSeconds: c.authorizerCacheSeconds,
      corsOrigins: c.corsOrigins,
      throttling: c.throttling,
      ...(cap.converseThrottling ? { streamingThrottling: cap.converseThrottling } : {}),
      logRetentionDays: c.logRetentionDays,
      streamingTimeoutSeconds: c.converseTimeoutSeconds,
      detailedMetrics: c.detailedMetrics,
    });

    this.observability = new ChatObservability(this, 'Observability', {
      stage: c.stage,
      api: this.api.api,
      routes,
      table: this.table.table,
      serviceName: `pika-chat-${c.stage}`,
      functions: new Map([
        ...this.functions.byGroup,
        ['authorizer', this.functions.authorizer],
        ...this.functions.background,
        ['usage-stream', this.functions.usageStream],
        ['answer-redrive', this.functions.answerRedrive],
        ['retention-sweep', this.functions.retentionSweep],
        ['lifecycle-worker', this.functions.lifecycleWorker],
      ]),
      deadLetterQueues: {
        usage: usage.deadLetterQueue,
        ...(redrive ? { answers: redrive.deadLetterQueue } : {}),
        lifecycle: lifecycle.deadLetterQueue,
        ...(this.insights ? { insights: this.insights.deadLetterQueue } : {}),
      },
      streamConsumers: { usage: this.functions.usageStream },
      ...(this.insights ? { backlogQueues: { insights: this.insights.queue } } : {}),
      reservedConcurrency: new Map<string, number>([
        ...(cap.converseReserved !== undefined ? ([['converse', cap.converseReserved]] as const) : []),
        ...(cap.authorizerReserved !== undefined ? ([['authorizer', cap.authorizerReserved]] as const) : []),
        ...(cap.routeReserved !== undefined ? ROUTE_FUNCTIONS.map((g) => [g, cap.routeReserved!] as const) : []),
      ]),
      detailedMetrics: c.detailedMetrics,
      thresholds: c.alarms,
      streamingTimeoutSeconds: c.converseTimeoutSeconds,
      dailyCostWarnings: c.dailyCostWarnings,
      ...(c.alarmEmail ? { alarmEmail: c.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url, description: 'Base URL of the REST API (the stage is part of it)' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'FilesBucketName', { value: this.files.bucket.bucketName, description: 'Bucket of files attached to messages' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.topic.topicArn });
    if (jwtSecret && c.jwt.kind === 'hs256' && !c.jwt.secretName && !c.jwt.secretArn) {
      new CfnOutput(this, 'JwtSecretArn', { value: jwtSecret.secret.secretArn, description: 'Generated HS256 key: give it to your token issuer' });
    }
    for (const fn of [
      ...this.functions.all,
      ...this.functions.background.values(),
      this.functions.usageStream,
      this.functions.answerRedrive,
      this.functions.retentionSweep,
    ]) {
      const name = fn.node.id;
      new CfnOutput(this, `Fn${name[0]!.toUpperCase()}${name.slice(1)}`, { value: fn.functionName, description: `Lambda of ${name}` });
    }
  }

  private secrets(c: StageConfig): { jwtSecret?: SecretRef; cursorSecret: SecretRef } {
    const cursor = new secretsmanager.Secret(this, 'CursorSecret', {
      description: `Pika chat ${c.stage}: HMAC key of pagination cursors`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    const reason = 'Rotating these keys is a redeploy-time decision: automatic rotation would invalidate live tokens (HS256) or cursors mid-session.';
    acknowledgeNag(cursor, 'AwsSolutions-SMG4', reason);
    const cursorSecret = { secret: cursor, id: cursor.secretArn };
    if (c.jwt.kind !== 'hs256') return { cursorSecret };
    if (c.jwt.secretArn)
      return { cursorSecret, jwtSecret: { secret: secretsmanager.Secret.fromSecretCompleteArn(this, 'JwtSecret', c.jwt.secretArn), id: c.jwt.secretArn } };
    // GetSecretValue takes the name as SecretId; IAM needs the ARN with its random suffix wildcarded.
    if (c.jwt.secretName)
      return {
        cursorSecret,
        jwtSecret: { secret: secretsmanager.Secret.fromSecretNameV2(this, 'JwtSecret', c.jwt.secretName), id: c.jwt.secretName, byName: true },
      };
    const generated = new secretsmanager.Secret(this, 'JwtSecret', {
      description: `Pika chat ${c.stage}: HS256 key of bearer tokens (share it with your token issuer)`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: c.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledgeNag(generated, 'AwsSolutions-SMG4', reason);
    return { cursorSecret, jwtSecret: { secret: generated, id: generated.secretArn } };
  }
}

/** The stage's `tuning` as the functions' variables: only what the stage sets (else the functions' defaults). */
function tuningEnvironment(t: StageConfig['tuning']): Record<string, string> {
  const vars: Record<string, number | undefined> = {
    MAX_BODY_BYTES: t.maxBodyBytes,
    CONFIG_CACHE_TTL_SECONDS: t.configCacheSeconds,
    STOP_POLL_MS: t.stopPollMs,
    MEMORY_TIMEOUT_MS: t.memoryTimeoutMs,
    BUDGET_RESERVE_TOKENS: t.budgetReserveTokens,
    DYNAMODB_MAX_ATTEMPTS: t.dynamoDbMaxAttempts,
    FILE_UPLOAD_URL_SECONDS: t.uploadUrlSeconds,
    FILE_DOWNLOAD_URL_SECONDS: t.downloadUrlSeconds,
    LIFECYCLE_STEP_MS: t.lifecycleStepMs,
  };
  return Object.fromEntries(Object.entries(vars).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
}
