/**
 * "Deploys" a synthesized stage locally: synth with bundling in a child process (the bundler's output is
 * captured, shown only if synth fails), each Lambda from its asset directory with the template's
 * environment (references resolved: the table -> the DynamoDB Local table, secrets -> ARNs the Secrets
 * Manager stand-in serves), the agent registrations (Custom::AWS PutItem) run against DynamoDB Local, and
 * the API Gateway emulation over it all. What is local and not in the template: the endpoints of DynamoDB
 * Local, the Secrets Manager stand-in and the agent emulator, given to every container.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../scripts/local/dynamodb-local';
import { startSecretsStandIn, type SecretsStandIn } from '../support/secrets-manager';
import { startSqsStandIn } from '../support/sqs-stand-in';
import { Gateway } from './gateway';
import { LambdaService, type FunctionDef } from './lambda';

const ROOT = join(import.meta.dirname, '../..');

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any> }> };

export interface DeployedStack {
  template: Template;
  gateway: Gateway;
  lambda: LambdaService;
  secrets: SecretsStandIn;
  /** SecretString by the id the functions' environment names it with (ARN or name). */
  secretValues: Record<string, string>;
  /** Logical ids of the functions, by name (route group or authorizer, from the stack's Fn<Name> outputs). */
  functionIds: Record<string, string>;
  /** The environment a function runs with (resolved). */
  envOf(name: string): Record<string, string>;
  close(): Promise<void>;
}

export async function deployStage(
  stage: string,
  local: { tableName: string; dynamoEndpoint: string; agentEndpoint: string; runtimeEndpoint: string; s3?: { endpoint: string; bucket: string } },
): Promise<DeployedStack> {
  const outdir = mkdtempSync(join(tmpdir(), `pika-deployed-${stage}-`));
  const synth = spawnSync(process.execPath, ['--import', 'tsx', 'test/deployed/synth-main.ts', stage, outdir], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
  });
  if (synth.status !== 0) throw new Error(`synth of ${stage} failed:\n${synth.stdout}\n${synth.stderr}`);
  const { template: file } = JSON.parse(readFileSync(join(outdir, 'deployed-tier.json'), 'utf8')) as { template: string };
  const template = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as Template & { Outputs: Record<string, { Value: any }> };

  const secretValues: Record<string, string> = {};
  // Routes that start lifecycle jobs (erasures, session purges) send to SQS: a stand-in keeps the messages. The
  // SDK sends to the queue URL's host, so the queues' URLs point at it.
  const sqs = await startSqsStandIn();
  const resolve = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, any>;
    if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(resolve).join(o['Fn::Join'][0]);
    if (o.Ref === 'AWS::Region') return LOCAL_REGION;
    if (o.Ref === 'AWS::Partition') return 'aws';
    if (o.Ref === 'AWS::AccountId') return '111122223333';
    const r = o.Ref ? template.Resources[o.Ref] : undefined;
    if (r?.Type === 'AWS::DynamoDB::Table') return local.tableName;
    if (r?.Type === 'AWS::S3::Bucket') return local.s3?.bucket ?? `pika-files-${stage}-deployed`;
    if (r?.Type === 'AWS::SecretsManager::Secret') return `arn:aws:secretsmanager:${LOCAL_REGION}:111122223333:secret:${o.Ref}-AbCdEf`;
    if (r?.Type === 'AWS::SQS::Queue') return `${sqs.endpoint}/111122223333/${o.Ref}`; // sends are kept, nothing consumes them
    throw new Error(`cannot resolve ${JSON.stringify(v)} locally`);
  };

  const functions = new Map<string, FunctionDef>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function' || !r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME) continue; // ours, not CDK's provider
    const environment = Object.fromEntries(Object.entries(r.Properties.Environment.Variables as Record<string, unknown>).map(([k, v]) => [k, resolve(v)]));
    for (const k of ['JWT_SECRET_ARN', 'CURSOR_SECRET_ARN']) if (environment[k]) secretValues[environment[k]] ??= randomBytes(32).toString('base64url');
    functions.set(id, {
      logicalId: id,
      dir: join(outdir, r.Metadata!['aws:asset:path']),
      handler: r.Properties.Handler,
      timeoutSeconds: r.Properties.Timeout ?? 3,
      memoryMb: r.Properties.MemorySize ?? 128,
      environment,
    });
  }
  const functionIds = Object.fromEntries(
    Object.entries(template.Outputs)
      .filter(([k, o]) => k.startsWith('Fn') && o.Value?.Ref)
      .map(([k, o]) => [k[2]!.toLowerCase() + k.slice(3), o.Value.Ref as string]),
  );

  // The deploy-time agent registrations, as CloudFormation would run them.
  const ddb = new DynamoDBClient({ endpoint: local.dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  for (const r of Object.values(template.Resources).filter((x) => x.Type === 'Custom::AWS')) {
    const call = JSON.parse(resolve(r.Properties.Create));
    if (call.service !== 'DynamoDB' || call.action !== 'PutItem') throw new Error(`custom resource ${call.service}.${call.action} not emulated`);
    await ddb.send(new PutItemCommand(call.parameters));
  }
  ddb.destroy();

  const secrets = await startSecretsStandIn(secretValues);
  const lambda = new LambdaService(functions, {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    TZ: ':UTC',
    DYNAMODB_ENDPOINT: local.dynamoEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    BEDROCK_AGENT_ENDPOINT: local.agentEndpoint,
    BEDROCK_RUNTIME_ENDPOINT: local.runtimeEndpoint,
    ...(local.s3 ? { S3_ENDPOINT: local.s3.endpoint } : {}),
  });
  const gateway = new Gateway(template, lambda, LOCAL_REGION);
  return {
    template,
    gateway,
    lambda,
    secrets,
    secretValues,
    functionIds,
    envOf: (name) => functions.get(functionIds[name]!)!.environment,
    async close() {
      await lambda.dispose();
      await secrets.close();
      await sqs.close();
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}
