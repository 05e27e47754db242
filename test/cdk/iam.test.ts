/**
 * Least privilege: each function's table access equals the declared map, and the map equals what the code
 * really calls (each handler bundled and tree-shaken as deployed, then read); Bedrock only for converse and
 * only on configured ARNs; "*" only where AWS has no resource-level permission.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GSIS } from '../../functions/data/table-definition';
import { ROUTE_GROUPS, type RouteGroup } from '../../functions/http/routes';
import { stageConfig } from '../../lib/config/stages';
import { TABLE_ACCESS, type FunctionName } from '../../lib/constructs/access-map';
import { MEMORY_ACTIONS, LIFECYCLE_MEMORY_ACTIONS } from '../../lib/constructs/chat-functions';
import { ALL_FUNCTIONS as FUNCTIONS, deployedCodeOf, flat, functionOf, logicalIdOf, statementsByRole, synthStage, type Synthesized } from './helpers';

const STAGES = ['dev', 'staging', 'prod'] as const;
/** Bedrock callers: converse (agents, titles) and the generated-insights worker (its models only, test/cdk/insights.test.ts). */
const BEDROCK_CALLERS: FunctionName[] = ['converse', 'insights-worker'];
const synthesized = {} as Record<(typeof STAGES)[number], Synthesized>;

beforeAll(() => {
  for (const stage of STAGES) synthesized[stage] = synthStage(stage);
}, 60_000);
afterAll(() => {
  for (const s of Object.values(synthesized)) s.cleanup();
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** action -> resources (flattened), over every statement of the function's role. */
function grants(s: Synthesized, name: FunctionName): Map<string, Set<string>> {
  const fn = functionOf(s, name);
  const roleId = logicalIdOf(s, fn.role!);
  const out = new Map<string, Set<string>>();
  for (const st of statementsByRole(s).get(roleId) ?? []) {
    expect(st.Effect).toBe('Allow');
    for (const action of [st.Action].flat()) {
      const set = out.get(action) ?? new Set<string>();
      for (const r of [st.Resource].flat()) set.add(flat(r));
      out.set(action, set);
    }
  }
  return out;
}

describe('table access', () => {
  it('grants each function exactly its declared operations, on the table, and Query only on its declared indexes', () => {
    for (const stage of STAGES) {
      const s = synthesized[stage];
      const table = `<${logicalIdOf(s, s.stack.table.table)}.Arn>`;
      for (const name of FUNCTIONS) {
        const g = grants(s, name);
        const ddb = [...g.keys()].filter((a) => a.startsWith('dynamodb:')).sort();
        expect(ddb, `${stage} ${name}`).toEqual(TABLE_ACCESS[name].operations.map((op) => `dynamodb:${op}`).sort());
        for (const action of ddb) {
          const expected = action === 'dynamodb:Query' ? [table, ...TABLE_ACCESS[name].indexes.map((i) => `${table}/index/${i}`)] : [table];
          expect([...g.get(action)!].sort(), `${stage} ${name} ${action}`).toEqual(expected.sort());
        }
      }
    }
  });

  it('the declared map is exactly what each handler\u2019s deployed (tree-shaken) code calls', async () => {
    const COMMAND_OPS: Record<string, string[]> = {
      GetCommand: ['GetItem'],
      BatchGetCommand: ['BatchGetItem'],
      QueryCommand: ['Query'],
      PutCommand: ['PutItem'],
      UpdateCommand: ['UpdateItem'],
      DeleteCommand: ['DeleteItem'],
      BatchWriteCommand: ['BatchWriteItem'],
      TransactGetCommand: ['GetItem'],
      ScanCommand: ['Scan'],
    };
    const TRANSACT_OPS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };
    const indexNames = GSIS.map((g) => g.indexName);
    for (const name of FUNCTIONS) {
      const code = await deployedCodeOf(name);
      const commands = new Set([...code.matchAll(/\bnew (\w+Command)\d*\(/g)].map((m) => m[1]!));
      const ops = new Set([...commands].flatMap((c) => COMMAND_OPS[c] ?? []));
      if (commands.has('TransactWriteCommand')) for (const m of code.matchAll(/\b(Put|Update|Delete|ConditionCheck)\s*:/g)) ops.add(TRANSACT_OPS[m[1]!]!);
      // Index names as used in queries (not the table definition's own `indexName: "gsiN"`).
      const indexes = new Set([...code.matchAll(/(?<!indexName:\s*)["'](gsi\d)["']/g)].map((m) => m[1]!).filter((i) => indexNames.includes(i as never)));
      expect([...ops].sort(), `${name} operations`).toEqual([...TABLE_ACCESS[name].operations].sort());
      expect([...indexes].sort(), `${name} indexes`).toEqual([...TABLE_ACCESS[name].indexes].sort());
      expect(ops.has('Scan'), `${name} must not Scan on a request path`).toBe(false);
      const bedrock = [...commands].filter((c) => /^(InvokeAgent|InvokeInlineAgent|Converse|ConverseStream|InvokeModel)/.test(c));
      expect(bedrock.length > 0, `${name} Bedrock calls`).toBe(BEDROCK_CALLERS.includes(name));
    }
  }, 60_000);
});

describe('Bedrock, secrets and wildcards', () => {
  it('only converse may call Bedrock: InvokeAgent on the configured aliases, models on the configured models', () => {
    for (const stage of STAGES) {
      const s = synthesized[stage];
      const agents = Object.values(stageConfig(stage).bedrock.agents);
      for (const name of FUNCTIONS) {
        const bedrockActions = [...grants(s, name).keys()].filter((a) => a.startsWith('bedrock:'));
        if (!BEDROCK_CALLERS.includes(name)) expect(bedrockActions, `${stage} ${name}`).toEqual([]);
      }
      const g = grants(s, 'converse');
      const aliases = agents.flatMap((a) => (a.agent.kind === 'bedrock-agent' ? [`agent-alias/${a.agent.bedrockAgentId}/${a.agent.bedrockAgentAliasId}`] : []));
      // No Classic agent (prod's example is an AgentCore harness): no InvokeAgent grant at all.
      expect(g.has('bedrock:InvokeAgent'), `${stage} InvokeAgent`).toBe(aliases.length > 0);
      expect([...(g.get('bedrock:InvokeAgent') ?? [])].map((arn) => arn.replace(/^.*:/, '')).sort()).toEqual(aliases.sort());
      for (const arn of g.get('bedrock:InvokeAgent') ?? [])
        expect(arn).toMatch(/^arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:agent-alias\/[0-9A-Z]{10}\/[0-9A-Z]{10}$/);
      const models = agents.flatMap((a) => [...(a.agent.kind === 'inline' ? [a.agent.foundationModel] : []), ...(a.titleModel ? [a.titleModel.modelId] : [])]);
      const invokeModel = [...(g.get('bedrock:InvokeModel') ?? [])];
      expect(invokeModel.length).toBeGreaterThan(0);
      for (const arn of invokeModel)
        expect(
          models.some((m) => arn.endsWith(`/${m}`) || m.endsWith(arn.replace(/^.*foundation-model\//, ''))),
          arn,
        ).toBe(true);
      for (const arn of invokeModel)
        expect(arn).toMatch(/^arn:<AWS::Partition>:bedrock:(<AWS::Region>:(<AWS::AccountId>)?|\*:):(foundation-model|inference-profile)\/[\w.:-]+$/);
      const inline = agents.some((a) => a.agent.kind === 'inline');
      expect(g.has('bedrock:InvokeInlineAgent'), `${stage} inline agents`).toBe(inline);
      if (inline) expect([...g.get('bedrock:InvokeInlineAgent')!]).toEqual(['*']); // no resource-level permissions
      if (inline)
        expect([...g.get('bedrock:InvokeModelWithResponseStream')!]).toEqual(expect.arrayContaining([expect.stringMatching(/foundation-model\/anthropic/)]));
    }
  });

  it('AgentCore: InvokeHarness (and the runtime action it needs) on the configured harnesses, runtime actions on the configured runtimes and their endpoints', () => {
    for (const stage of STAGES) {
      const agents = Object.values(stageConfig(stage).bedrock.agents);
      const harnesses = agents.flatMap((a) => (a.agent.kind === 'agentcore-harness' ? [a.agent.harnessArn] : []));
      const runtimes = agents.flatMap((a) => (a.agent.kind === 'agentcore-runtime' ? [a.agent.agentRuntimeArn] : []));
      for (const name of FUNCTIONS) {
        const actions = [...grants(synthesized[stage], name).keys()].filter(
          (a) =>
            a.startsWith('bedrock-agentcore:') &&
            !MEMORY_ACTIONS[name as RouteGroup]?.includes(a.split(':')[1]!) &&
            // The lifecycle worker's memory deletes (test/cdk/lifecycle.test.ts).
            !(name === 'lifecycle-worker' && (LIFECYCLE_MEMORY_ACTIONS as readonly string[]).includes(a.split(':')[1]!)),
        );
        if (name !== 'converse') expect(actions, `${stage} ${name}`).toEqual([]);
      }
      const g = grants(synthesized[stage], 'converse');
      const arns = (action: string) => [...(g.get(`bedrock-agentcore:${action}`) ?? [])].sort();
      expect(arns('InvokeHarness'), stage).toEqual([...harnesses].sort());
      const runtimeResources = runtimes.flatMap((arn) => [arn, `${arn}/runtime-endpoint/*`]);
      expect(arns('InvokeAgentRuntimeForUser'), stage).toEqual([...runtimeResources].sort());
      expect(arns('StopRuntimeSession'), stage).toEqual([...runtimeResources].sort());
      expect(arns('InvokeAgentRuntime'), stage).toEqual([...harnesses, ...runtimeResources].sort());
    }
    expect(STAGES.some((s) => Object.values(stageConfig(s).bedrock.agents).some((a) => a.agent.kind === 'agentcore-harness'))).toBe(true);
    expect(STAGES.some((s) => Object.values(stageConfig(s).bedrock.agents).some((a) => a.agent.kind === 'agentcore-runtime'))).toBe(true);
    // An AG-UI runtime (issue 26 item 7) is invoked like any runtime: its ARN is among the runtime resources above.
    expect(
      STAGES.some((s) => Object.values(stageConfig(s).bedrock.agents).some((a) => a.agent.kind === 'agentcore-runtime' && a.agent.protocol === 'AGUI')),
    ).toBe(true);
  });

  it('"*" only for actions without resource-level permissions; no wildcard actions anywhere in the stack', () => {
    // dynamodb:ListStreams: the usage stream's event source (CDK's grantStreamRead); the stream's own reads are on its ARN.
    const starOk = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'bedrock:InvokeInlineAgent', 'dynamodb:ListStreams']);
    for (const stage of STAGES) {
      for (const [role, statements] of statementsByRole(synthesized[stage])) {
        for (const st of statements as Statement[]) {
          const actions = [st.Action].flat();
          for (const a of actions) expect(a, `${stage} ${role}`).not.toContain('*');
          const resources = [st.Resource].flat().map(flat);
          if (resources.includes('*')) for (const a of actions) expect(starOk.has(a), `${stage} ${role}: ${a} on *`).toBe(true);
          // Other wildcards: the region of a cross-region inference profile's model, a named secret's suffix, uploaded files' and export documents' keys.
          for (const r of resources.filter((x) => x !== '*' && x.includes('*')))
            expect(r).toMatch(
              /:bedrock:\*::foundation-model\/|:secret:[\w/+=.@-]+-\?{6}$|:runtime\/[\w]+-[a-zA-Z0-9]{10}\/runtime-endpoint\/\*$|^<FilesBucket\w+\.Arn>\/(files|exports)\/\*$/,
            );
        }
      }
    }
  });

  it('gives the authorizer only the JWT key, and the route functions the JWT and cursor keys', () => {
    for (const stage of STAGES) {
      const s = synthesized[stage];
      const jwks = stageConfig(stage).jwt.kind === 'jwks';
      const authorizer = [...(grants(s, 'authorizer').get('secretsmanager:GetSecretValue') ?? [])];
      expect(authorizer, stage).toHaveLength(jwks ? 0 : 1);
      if (stage === 'staging') expect(authorizer[0]).toMatch(/:secret:pika-chat\/staging\/jwt-key-\?{6}$/);
      for (const name of ROUTE_GROUPS) expect(grants(s, name).get('secretsmanager:GetSecretValue')?.size ?? 0, `${stage} ${name}`).toBe(jwks ? 1 : 2);
    }
  });
});
