import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { ROUTE_GROUPS, type RouteGroup } from '../../functions/http/routes';
import { TABLE_ACCESS } from './access-map';

const ROOT = join(import.meta.dirname, '../..');

export interface ChatFunctionsProps {
  table: dynamodb.ITable;
  serviceName: string;
  logRetentionDays: number;
  /** Plain settings (JWT issuer/audience/JWKS, roles, CORS, TTL...). */
  environment: Record<string, string>;
  /** Secrets read at cold start (JWT_SECRET_ARN, CURSOR_SECRET_ARN). */
  secrets: Record<string, secretsmanager.ISecret>;
  bedrock: { agentAliasArns: string[]; modelArns: string[] };
  converseTimeoutSeconds: number;
}

/** Memory and timeout per function: converse waits on agents; the others are short DynamoDB calls. */
const SIZES: Record<RouteGroup | 'authorizer', { memoryMb: number; timeoutSeconds?: number }> = {
  users: { memoryMb: 512 },
  sessions: { memoryMb: 1024 },
  feedback: { memoryMb: 512 },
  insights: { memoryMb: 512 },
  widgets: { memoryMb: 512 },
  admin: { memoryMb: 512 },
  converse: { memoryMb: 1024 },
  authorizer: { memoryMb: 256 },
};

/** One NodejsFunction per route group (functions/handlers/<group>.ts) plus the authorizer, least privilege each. */
export class ChatFunctions extends Construct {
  readonly byGroup = new Map<RouteGroup, NodejsFunction>();
  readonly authorizer: NodejsFunction;

  constructor(scope: Construct, id: string, props: ChatFunctionsProps) {
    super(scope, id);
    for (const group of ROUTE_GROUPS) this.byGroup.set(group, this.makeFunction(group, props));
    this.authorizer = this.makeFunction('authorizer', props);

    const converse = this.byGroup.get('converse')!;
    if (props.bedrock.agentAliasArns.length) {
      converse.addToRolePolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeAgent'], resources: props.bedrock.agentAliasArns }));
    }
    if (props.bedrock.modelArns.length) {
      converse.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['bedrock:InvokeInlineAgent', 'bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], resources: props.bedrock.modelArns }),
      );
    }
  }

  private makeFunction(name: RouteGroup | 'authorizer', props: ChatFunctionsProps): NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: props.logRetentionDays as logs.RetentionDays });
    const fn = new NodejsFunction(this, name, {
      entry: join(ROOT, `functions/handlers/${name}.ts`),
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: SIZES[name].memoryMb,
      timeout: Duration.seconds(name === 'converse' ? props.converseTimeoutSeconds : (SIZES[name].timeoutSeconds ?? 29)),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      environment: {
        ...props.environment,
        TABLE_NAME: props.table.tableName,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...Object.fromEntries(Object.entries(props.secrets).map(([env, secret]) => [env, secret.secretArn])),
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // The AWS SDK is bundled (tree-shaken) rather than taken from the runtime.
        externalModules: [],
        banner: "import { createRequire as __pikaCreateRequire } from 'module'; const require = __pikaCreateRequire(import.meta.url);",
      },
    });
    for (const secret of Object.values(props.secrets)) secret.grantRead(fn);
    const access = TABLE_ACCESS[name];
    if (access.actions.length) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: access.actions,
          resources: [props.table.tableArn, ...access.indexes.map((i) => `${props.table.tableArn}/index/${i}`)],
        }),
      );
    }
    return fn;
  }
}
