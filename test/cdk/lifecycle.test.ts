/**
 * The lifecycle jobs in the synthesized stack (erasures, session purges, exports): the encrypted TLS-only queue
 * with its dead-letter queue → the worker (batch item failures, one message at a time, bounded concurrency); only
 * the users and sessions functions and the worker itself may send; the worker's least privilege — its table
 * operations and indexes, DeleteObject on files/*, the export writes and deletes on exports/*, ListBucket only
 * under files/ and exports/, the memory deletes on the registered memories — the users function's GetObject
 * (export links) on exports/* only, and the DLQ alarm. cdk-nag passes.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_MAX_RECEIVES } from '../../functions/lifecycle/jobs';
import { stageConfig } from '../../lib/config/stages';
import { LIFECYCLE_MEMORY_ACTIONS } from '../../lib/constructs/chat-functions';
import { flat, logicalIdOf, resourcesOf, statementsByRole, synthStage, type Synthesized } from './helpers';

let dev: Synthesized;
beforeAll(() => {
  dev = synthStage('dev');
}, 120_000);
afterAll(() => dev?.cleanup());

const roleOf = (s: Synthesized, fnId: string) => (s.json.Resources[fnId]!.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
const actionsOf = (st: { Action: string | string[] }) => (Array.isArray(st.Action) ? st.Action : [st.Action]);

describe('lifecycle jobs (AWS)', () => {
  it('queue and dead-letter queue: SQS-managed encryption, TLS only, redrive after LIFECYCLE_MAX_RECEIVES; the worker consumes it', () => {
    const lifecycle = dev.stack.node.findChild('Lifecycle') as unknown as { queue: never; deadLetterQueue: never };
    const queueId = logicalIdOf(dev, lifecycle.queue);
    const dlqId = logicalIdOf(dev, lifecycle.deadLetterQueue);
    dev.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: LIFECYCLE_MAX_RECEIVES },
    });
    const worker = logicalIdOf(dev, dev.stack.functions.lifecycleWorker);
    dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: worker },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: Match.anyValue() },
    });
    dev.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    // The second pass of an erasure waits for the longest turn.
    const env = dev.json.Resources[worker]!.Properties.Environment.Variables;
    expect(env.ERASURE_SETTLE_SECONDS).toBe(String(stageConfig('dev').converseTimeoutSeconds + 60));
    expect(env.LIFECYCLE_QUEUE_URL).toEqual({ Ref: queueId });
    expect(env.JWT_SECRET_ARN).toBeUndefined();
    // Its dead letters are alarmed.
    const alarms = resourcesOf(dev, 'AWS::CloudWatch::Alarm').filter(([, a]) => JSON.stringify(a.Properties.Dimensions ?? []).includes(dlqId));
    expect(alarms.length).toBeGreaterThan(0);
  });

  it('only users, sessions and the worker may send jobs, and get the queue URL', () => {
    const lifecycle = dev.stack.node.findChild('Lifecycle') as unknown as { queue: never };
    const queueId = logicalIdOf(dev, lifecycle.queue);
    const senders = new Set<string>();
    for (const [role, statements] of statementsByRole(dev))
      if (statements.some((st) => actionsOf(st).includes('sqs:SendMessage') && flat(st.Resource).includes(queueId))) senders.add(role);
    const roles = [dev.stack.functions.byGroup.get('users')!, dev.stack.functions.byGroup.get('sessions')!, dev.stack.functions.lifecycleWorker].map((f) =>
      roleOf(dev, logicalIdOf(dev, f)),
    );
    expect([...senders].sort()).toEqual(roles.sort());
  });

  it('the worker: its table operations and indexes, DeleteObject on files/*, ListBucket only under files/, memory deletes on the registered memories', () => {
    const worker = logicalIdOf(dev, dev.stack.functions.lifecycleWorker);
    const statements = statementsByRole(dev).get(roleOf(dev, worker))!;
    const table = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('dynamodb:')));
    expect(table.flatMap(actionsOf).sort()).toEqual(
      ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'].sort(),
    );
    const indexes = table.flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]).map(flat)).filter((r) => r.includes('/index/'));
    expect(indexes.map((r) => r.split('/index/')[1]).sort()).toEqual(['gsi1', 'gsi2']);
    const s3 = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('s3:')));
    expect(s3.map((st) => [actionsOf(st).sort().join(','), flat(st.Resource)]).sort()).toEqual(
      [
        ['s3:DeleteObject', expect.stringMatching(/\/files\/\*$/)],
        ['s3:AbortMultipartUpload,s3:DeleteObject,s3:PutObject', expect.stringMatching(/\/exports\/\*$/)],
        ['s3:ListBucket', expect.stringMatching(/^<.*Bucket.*\.Arn>$/)],
      ].sort(),
    );
    expect((s3.find((st) => actionsOf(st).includes('s3:ListBucket')) as unknown as { Condition: unknown }).Condition).toEqual({
      StringLike: { 's3:prefix': ['files/*', 'exports/*'] },
    });
    const memory = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('bedrock-agentcore:')));
    expect(memory.flatMap(actionsOf).sort()).toEqual(LIFECYCLE_MEMORY_ACTIONS.map((a) => `bedrock-agentcore:${a}`).sort());
    for (const st of memory) expect(st.Resource).toEqual(stageConfig('dev').agentCoreMemories.map((m) => m.arn)[0]);
    // No Bedrock model or agent access, no secrets.
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('bedrock:') || a.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('the users function signs export links: GetObject on exports/* only, no write or delete there', () => {
    const users = logicalIdOf(dev, dev.stack.functions.byGroup.get('users')!);
    const s3 = statementsByRole(dev)
      .get(roleOf(dev, users))!
      .filter((st) => actionsOf(st).some((a) => a.startsWith('s3:')));
    expect(s3.map((st) => [actionsOf(st).join(','), flat(st.Resource)])).toEqual([['s3:GetObject', expect.stringMatching(/^<.*Bucket.*\.Arn>\/exports\/\*$/)]]);
  });

  it('cdk-nag has nothing to say', () => {
    expect(dev.report.pluginReports.flatMap((p) => p.violations)).toEqual([]);
  });
});
