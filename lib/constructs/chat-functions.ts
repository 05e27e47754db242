import { ArnFormat, AssetHashType, DockerImage, Duration, Stack, type ILocalBundling } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTE_GROUPS, type RouteGroup } from '../../functions/http/routes';
import { AGENT_KIND_IAM, type BedrockAccess } from '../config/bedrock';
import { acknowledgeNag, nagArn } from '../nag';
import {
  ANSWER_REDRIVE_FUNCTION,
  RETENTION_SWEEP_FUNCTION,
  BACKGROUND_FUNCTIONS,
  LIFECYCLE_WORKER_FUNCTION,
  TABLE_ACCESS,
  tableStatements,
  USAGE_STREAM_FUNCTION,
  type BackgroundFunction,
  type FunctionName,
} from './access-map';
import { bundleLambdaSync } from './bundling';

const isBackground = (name: FunctionName): name is BackgroundFunction => (BACKGROUND_FUNCTIONS as readonly string[]).includes(name);

/** The repository root: entries, package-lock.json and the esbuild used for bundling live here. */
export const PROJECT_ROOT = join(import.meta.dirname, '../..');

/** The Lambda entry of a route group (or the authorizer): functions/handlers/<name>.ts, exporting `handler`. */
export const handlerEntry = (name: FunctionName): string => join(PROJECT_ROOT, 'functions/handlers', `${name}.ts`);

/**
 * A function's code: its entry bundled by ./bundling.ts into the asset directory (code splitting: index.mjs plus
 * chunk files), by the esbuild installed here, while CDK stages the asset — no Docker. Why not NodejsFunction:
 * it cannot split (it passes esbuild --outfile), and replacing its output in an afterBundling hook would bundle
 * every function twice and restate the options as shell arguments. What it gave is kept: handler index.handler,
 * the asset hashed by its output, bundling skipped for stacks outside `aws:cdk:bundling-stacks`. The fields
 * are part of CDK's asset cache key (one bundle per entry and source-map setting in an app).
 */
class LocalBundling implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly sourceMaps: boolean,
  ) {}

  tryBundle(outputDir: string): boolean {
    bundleLambdaSync(this.entry, outputDir, { sourceMaps: this.sourceMaps });
    return true; // or it threw: never falls back to Docker
  }
}

function bundledCode(entry: string, sourceMaps: boolean): lambda.Code {
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    // CDK requires an image; local bundling always answers, so it is never pulled or run.
    bundling: { image: DockerImage.fromRegistry('dummy'), local: new LocalBundling(entry, sourceMaps) },
  });
}

export interface FunctionSize {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

/** Converse waits on agents (its timeout comes from the stage); the others are a few DynamoDB calls. */
export const DEFAULT_SIZES: Record<FunctionName, FunctionSize> = {
  users: { memoryMb: 512, timeoutSeconds: 29 },
  sessions: { memoryMb: 1024, timeoutSeconds: 29 },
  feedback: { memoryMb: 512, timeoutSeconds: 29 },
  insights: { memoryMb: 512, timeoutSeconds: 29 },
  widgets: { memoryMb: 512, timeoutSeconds: 29 },
  admin: { memoryMb: 512, timeoutSeconds: 29 },
  // Memory from bench/converse-cpu.ts: a turn's relay CPU is ~10 ms (p50), 36 ms at 512 MB's CPU share, while
  // an answer holds the execution for seconds (docs/scaling.md, Converse memory). Stages set capacity.converseMemoryMb.
  converse: { memoryMb: 512, timeoutSeconds: 300 },
  authorizer: { memoryMb: 256, timeoutSeconds: 10 },
  'insights-sweep': { memoryMb: 256, timeoutSeconds: 60 },
  // Two model calls at most per job, a few jobs per batch.
  'insights-worker': { memoryMb: 512, timeoutSeconds: 180 },
  // A batch of up to 100 debits: one BatchGetItem and a few transactions.
  'usage-stream': { memoryMb: 256, timeoutSeconds: 60 },
  // A batch of up to 10 answers, one transaction each.
  'answer-redrive': { memoryMb: 256, timeoutSeconds: 60 },
  // Up to 100 due sessions per run, a renewal being an UpdateItem per older item (resumed by the next run).
  'retention-sweep': { memoryMb: 256, timeoutSeconds: 300 },
  // One step of an erasure or a session purge: pages for LIFECYCLE_STEP_MS (20 s), then the next message.
  'lifecycle-worker': { memoryMb: 512, timeoutSeconds: 60 },
};

/** A Secrets Manager secret a function reads at cold start; `id` (its ARN or name) goes in the environment. */
export interface SecretRef {
  readonly secret: secretsmanager.ISecret;
  readonly id: string;
  /** Referenced by name: IAM needs the `-??????` suffix wildcard Secrets Manager adds to ARNs. */
  readonly byName?: boolean;
}

export interface ChatFunctionsProps {
  readonly table: dynamodb.ITable;
  /** POWERTOOLS_SERVICE_NAME */
  readonly serviceName: string;
  readonly logLevel: string;
  readonly logRetentionDays: number;
  /** Plain settings for every function (JWT issuer/audience/JWKS URL and claims, roles, CORS, TTL...). */
  readonly environment: Record<string, string>;
  /** The HS256 key (JWT_SECRET_ARN); absent with a JWKS issuer. */
  readonly jwtSecret?: SecretRef;
  /** The HMAC key of pagination cursors (CURSOR_SECRET_ARN); not given to the authorizer. */
  readonly cursorSecret: SecretRef;
  readonly bedrock: BedrockAccess;
  /** Ship source maps and run with --enable-source-maps (readable stack traces; slower cold starts). Default false. */
  readonly sourceMaps?: boolean;
  /** Per-function overrides of DEFAULT_SIZES. */
  readonly sizes?: Partial<Record<FunctionName, FunctionSize>>;
  /**
   * Reserved concurrency per function (docs/scaling.md): executions only it may use, and at most that many.
   * Absent: the function shares the account's unreserved pool.
   */
  readonly reservedConcurrency?: Partial<Record<FunctionName, number>>;
  /** AgentCore memories of user memory (stage `agentCoreMemories`): converse recalls and records, users lists and deletes. */
  readonly memoryArns?: readonly string[];
  /** Route groups to deploy (default: every group of the route table). */
  readonly groups?: readonly RouteGroup[];
  /** Generated insights: the sweep and worker functions, the worker allowed InvokeModel on these models. */
  readonly insights?: { readonly modelArns: readonly string[] };
}

/** The AgentCore Memory calls of each function (functions/memory/client.ts), on the registered memories only. */
export const MEMORY_ACTIONS: Partial<Record<RouteGroup, readonly string[]>> = {
  // Listing and deleting too: a turn that recorded its exchange while the user's "forget me" ran forgets it again.
  converse: ['RetrieveMemoryRecords', 'CreateEvent', 'ListSessions', 'ListEvents', 'DeleteEvent', 'ListMemoryRecords', 'BatchDeleteMemoryRecords'],
  users: ['ListMemoryRecords', 'GetMemoryRecord', 'DeleteMemoryRecord', 'BatchDeleteMemoryRecords', 'ListSessions', 'ListEvents', 'DeleteEvent'],
};

/** The lifecycle worker's memory calls: every event and record of an erased user (functions/memory/user-memory.ts forgetInMemory). */
export const LIFECYCLE_MEMORY_ACTIONS = ['ListSessions', 'ListEvents', 'DeleteEvent', 'ListMemoryRecords', 'BatchDeleteMemoryRecords'] as const;

/**
 * One function per route group (functions/handlers/<group>.ts) plus the API authorizer: ESM bundles split into
 * index.mjs and lazily imported chunks (./bundling.ts: minified, source maps when asked, AWS SDK v3 bundled and
 * tree-shaken), arm64, Node.js 24, X-Ray active, and only the table operations, indexes, secrets and Bedrock
 * resources each one uses.
 */
export class ChatFunctions extends Construct {
  readonly byGroup = new Map<RouteGroup, lambda.Function>();
  readonly authorizer: lambda.Function;
  /** The functions outside the API (generated insights' sweep and worker), when enabled. */
  readonly background = new Map<BackgroundFunction, lambda.Function>();
  /** The usage stream consumer (lib/constructs/chat-usage.ts wires it to the table's stream). */
  readonly usageStream: lambda.Function;
  /** The answer redrive worker (lib/constructs/chat-redrive.ts wires it to its queue). */
  readonly answerRedrive: lambda.Function;
  /** The retention sweep (lib/constructs/chat-retention.ts schedules it). */
  readonly retentionSweep: lambda.Function;
  /** The lifecycle worker (lib/constructs/chat-lifecycle.ts wires it to its queue). */
  readonly lifecycleWorker: lambda.Function;

  constructor(scope: Construct, id: string, props: ChatFunctionsProps) {
    super(scope, id);
    for (const group of props.groups ?? ROUTE_GROUPS) this.byGroup.set(group, this.makeFunction(group, props));
    this.authorizer = this.makeFunction('authorizer', props);
    this.usageStream = this.makeFunction(USAGE_STREAM_FUNCTION, props);
    this.answerRedrive = this.makeFunction(ANSWER_REDRIVE_FUNCTION, props);
    this.retentionSweep = this.makeFunction(RETENTION_SWEEP_FUNCTION, props);
    this.lifecycleWorker = this.makeFunction(LIFECYCLE_WORKER_FUNCTION, props);
    if (props.memoryArns?.length)
      this.lifecycleWorker.addToRolePolicy(
        new iam.PolicyStatement({ actions: LIFECYCLE_MEMORY_ACTIONS.map((a) => `bedrock-agentcore:${a}`), resources: [...props.memoryArns] }),
      );
    if (props.insights) {
      for (const name of BACKGROUND_FUNCTIONS) this.background.set(name, this.makeFunction(name, props));
      const models = [...props.insights.modelArns];
      if (models.length)
        this.background.get('insights-worker')!.addToRolePolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: models }));
      for (const arn of models.filter((a) => a.includes(':bedrock:*::'))) {
        acknowledgeNag(
          this.background.get('insights-worker')!,
          `AwsSolutions-IAM5[Resource::${nagArn(this, arn)}]`,
          'A cross-region inference profile routes to the foundation model in regions AWS chooses: the model is granted in every region, the profile itself only in this one.',
        );
      }
    }
    const converse = this.byGroup.get('converse');
    if (converse) this.grantBedrock(converse, props.bedrock);
    for (const [group, actions] of Object.entries(MEMORY_ACTIONS)) {
      const fn = this.byGroup.get(group as RouteGroup);
      if (fn && props.memoryArns?.length)
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: actions.map((a) => `bedrock-agentcore:${a}`), resources: [...props.memoryArns] }));
    }

    acknowledgeNag(
      this,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The AWS-managed minimum for Lambda logging (CreateLogStream/PutLogEvents); table, secret and Bedrock access are per-function inline policies.',
    );
    acknowledgeNag(
      this,
      'AwsSolutions-IAM5[Resource::*]',
      'Only actions without resource-level permissions, where AWS requires Resource "*": xray:PutTraceSegments/PutTelemetryRecords (active tracing), dynamodb:ListStreams (the usage stream\u2019s event source) and bedrock:InvokeInlineAgent (the inline agent\u2019s model calls are still limited to the configured model ARNs).',
    );
    acknowledgeNag(
      this,
      'AwsSolutions-L1',
      'Node.js 24 (nodejs24.x), the newest Lambda Node.js runtime, is the one this code is built and tested on (the node dev dependency pins it); upgrade both together.',
    );
  }

  /** Every function of the API, the authorizer last. */
  get all(): lambda.Function[] {
    return [...this.byGroup.values(), this.authorizer];
  }

  private makeFunction(name: FunctionName, props: ChatFunctionsProps): lambda.Function {
    const entry = handlerEntry(name);
    if (!existsSync(entry)) throw new Error(`ChatFunctions: no Lambda entry for "${name}" at ${entry} (one per route group, exporting handler)`);
    const size = { ...DEFAULT_SIZES[name], ...props.sizes?.[name] };
    const secrets =
      name === 'authorizer'
        ? { JWT_SECRET_ARN: props.jwtSecret }
        : isBackground(name) ||
            name === USAGE_STREAM_FUNCTION ||
            name === ANSWER_REDRIVE_FUNCTION ||
            name === RETENTION_SWEEP_FUNCTION ||
            name === LIFECYCLE_WORKER_FUNCTION
          ? {}
          : { JWT_SECRET_ARN: props.jwtSecret, CURSOR_SECRET_ARN: props.cursorSecret };
    const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: props.logRetentionDays as logs.RetentionDays });
    const fn = new lambda.Function(this, name, {
      code: bundledCode(entry, props.sourceMaps ?? false),
      handler: 'index.handler',
      // bundling.ts: LAMBDA_NODE_RUNTIME, the runtime its target builds for.
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: size.memoryMb,
      timeout: Duration.seconds(size.timeoutSeconds),
      ...(props.reservedConcurrency?.[name] !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency[name] } : {}),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      description: `Pika chat: ${
        name === 'authorizer'
          ? 'API authorizer (JWT)'
          : name === USAGE_STREAM_FUNCTION
            ? 'usage stream (shared usage totals)'
            : name === ANSWER_REDRIVE_FUNCTION
              ? 'answer redrive (answers stored later)'
              : name === RETENTION_SWEEP_FUNCTION
                ? 'retention sweep (sessions kept and expired together)'
                : name === LIFECYCLE_WORKER_FUNCTION
                  ? 'lifecycle worker (erasures, session purges)'
                  : isBackground(name)
                    ? `generated insights (${name})`
                    : `${name} routes`
      }`,
      environment: {
        ...props.environment,
        TABLE_NAME: props.table.tableName,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        ...(props.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        ...Object.fromEntries(Object.entries(secrets).flatMap(([env, ref]) => (ref ? [[env, ref.id]] : []))),
      },
    });
    for (const ref of Object.values(secrets)) if (ref) this.grantSecret(fn, ref);
    for (const st of tableStatements(TABLE_ACCESS[name], props.table.tableArn)) fn.addToRolePolicy(new iam.PolicyStatement(st));
    return fn;
  }

  /** GetSecretValue only (grantRead would add DescribeSecret, which the code never calls). */
  private grantSecret(fn: lambda.Function, ref: SecretRef): void {
    // By name: the ARN in the stage's partition, region and account, with the random suffix wildcarded.
    const arn = ref.byName
      ? Stack.of(this).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${ref.id}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })
      : ref.secret.secretArn;
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [arn] }));
    if (ref.secret.encryptionKey) ref.secret.encryptionKey.grantDecrypt(fn);
    if (ref.byName) {
      acknowledgeNag(
        fn,
        `AwsSolutions-IAM5[Resource::${nagArn(this, arn)}]`,
        'Secrets Manager appends a random 6-character suffix to every secret ARN: a secret referenced by name can only be granted as name-??????, which matches that one secret.',
      );
    }
  }

  private grantBedrock(fn: lambda.Function, access: BedrockAccess): void {
    // Each agent kind's actions on its resources (lib/config/bedrock.ts AGENT_KIND_IAM).
    for (const { actions, resources, sid, wildcardReason } of Object.values(AGENT_KIND_IAM)) {
      const granted = resources(access);
      if (!granted.length) continue;
      fn.addToRolePolicy(new iam.PolicyStatement({ ...(sid ? { sid } : {}), actions: [...actions], resources: granted }));
      if (!wildcardReason) continue;
      for (const arn of granted.filter((r) => r.endsWith('/*'))) acknowledgeNag(fn, `AwsSolutions-IAM5[Resource::${nagArn(this, arn)}]`, wildcardReason);
    }
    if (access.streamingModelArns.length) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], resources: access.streamingModelArns }),
      );
    }
    if (access.modelArns.length) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: access.modelArns }));
    for (const arn of [...access.streamingModelArns, ...access.modelArns].filter((a) => a.includes(':bedrock:*::'))) {
      acknowledgeNag(
        fn,
        `AwsSolutions-IAM5[Resource::${nagArn(this, arn)}]`,
        'A cross-region inference profile routes to the foundation model in regions AWS chooses: the model is granted in every region, the profile itself only in this one.',
      );
    }
  }
}
