import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StageConfig } from './config/stages';
import { ChatApi } from './constructs/chat-api';
import { ChatFunctions } from './constructs/chat-functions';
import { ChatObservability } from './constructs/chat-observability';
import { ChatTable } from './constructs/chat-table';
import { addNagSuppressions } from './nag';

export interface PikaChatStackProps extends StackProps {
  config: StageConfig;
}

/** One environment of the chat backend: table, functions, REST API with streaming converse, alarms. */
export class PikaChatStack extends Stack {
  readonly table: ChatTable;
  readonly functions: ChatFunctions;
  readonly api: ChatApi;

  constructor(scope: Construct, id: string, props: PikaChatStackProps) {
    super(scope, id, props);
    const c = props.config;
    this.table = new ChatTable(this, 'Data', { retainData: c.retainData, pointInTimeRecovery: c.pointInTimeRecovery });

    const cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: `Pika chat ${c.stage}: HMAC key of pagination cursors`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    const secrets: Record<string, secretsmanager.ISecret> = { CURSOR_SECRET_ARN: cursorSecret };
    const jwtEnv: Record<string, string> = {};
    if (c.jwt.kind === 'hs256') {
      secrets.JWT_SECRET_ARN = c.jwt.secretArn
        ? secretsmanager.Secret.fromSecretCompleteArn(this, 'JwtSecret', c.jwt.secretArn)
        : new secretsmanager.Secret(this, 'JwtSecret', {
            description: `Pika chat ${c.stage}: HS256 key of bearer tokens (share it with your token issuer)`,
            generateSecretString: { passwordLength: 48, excludePunctuation: true },
          });
      if (c.jwt.issuer) jwtEnv.JWT_ISSUER = c.jwt.issuer;
      if (c.jwt.audience) jwtEnv.JWT_AUDIENCE = c.jwt.audience;
    } else {
      Object.assign(jwtEnv, { JWT_JWKS_URL: c.jwt.jwksUrl, JWT_ISSUER: c.jwt.issuer, JWT_AUDIENCE: c.jwt.audience });
    }

    this.functions = new ChatFunctions(this, 'Functions', {
      table: this.table.table,
      serviceName: `pika-chat-${c.stage}`,
      logRetentionDays: c.logRetentionDays,
      environment: {
        ...jwtEnv,
        ROLE_CONTENT_ADMIN: c.roles.contentAdmin,
        ROLE_SITE_ADMIN: c.roles.siteAdmin,
        ROLE_SERVICE: c.roles.service,
        CORS_ORIGINS: c.corsOrigins.join(','),
        AGENT_TIMEOUT_MS: String((c.converseTimeoutSeconds - 10) * 1000),
        ...(c.itemTtlDays ? { ITEM_TTL_DAYS: String(c.itemTtlDays) } : {}),
      },
      secrets,
      bedrock: c.bedrock,
      converseTimeoutSeconds: c.converseTimeoutSeconds,
    });

    this.api = new ChatApi(this, 'Http', {
      stage: c.stage,
      functions: this.functions.byGroup,
      authorizer: this.functions.authorizer,
      corsOrigins: c.corsOrigins,
      throttling: c.throttling,
      logRetentionDays: c.logRetentionDays,
      streamingTimeoutSeconds: c.converseTimeoutSeconds,
    });

    new ChatObservability(this, 'Observability', {
      stage: c.stage,
      api: this.api.api,
      table: this.table.table,
      functions: new Map([...this.functions.byGroup, ['authorizer', this.functions.authorizer]]),
      ...(c.alarmEmail ? { alarmEmail: c.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    for (const [group, fn] of this.functions.byGroup) new CfnOutput(this, `Fn${group}`, { value: fn.functionName });
    addNagSuppressions(this);
  }
}
