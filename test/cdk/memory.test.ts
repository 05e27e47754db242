/**
 * User memory in the stack: the registered AgentCore memories reach every function (AGENTCORE_MEMORIES) and
 * IAM, scoped to those ARNs — converse recalls and records, users lists and deletes, nobody else — and
 * cdk-nag stays clean; a stage without memories grants nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_GROUPS, type RouteGroup } from '../../functions/http/routes';
import { parseStageConfig, stageConfig } from '../../lib/config/stages';
import { MEMORY_ACTIONS } from '../../lib/constructs/chat-functions';
import { flat, logicalIdOf, statementsByRole, synthStage, type Synthesized } from './helpers';

const MEMORY = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/pika_users-DEVMEMORY1';
let dev: Synthesized;
let prod: Synthesized;

beforeAll(() => {
  dev = synthStage('dev');
  prod = synthStage('prod');
}, 60_000);
afterAll(() => {
  dev.cleanup();
  prod.cleanup();
});

function memoryGrants(s: Synthesized, group: RouteGroup): Map<string, string[]> {
  const fn = s.stack.functions.byGroup.get(group)!;
  const out = new Map<string, string[]>();
  for (const st of statementsByRole(s).get(logicalIdOf(s, fn.role!)) ?? []) {
    for (const action of [st.Action].flat()) {
      if (
        !/^bedrock-agentcore:(RetrieveMemoryRecords|CreateEvent|ListMemoryRecords|GetMemoryRecord|DeleteMemoryRecord|BatchDeleteMemoryRecords|ListSessions|ListEvents|DeleteEvent)$/.test(
          action,
        )
      )
        continue;
      out.set(action, [...(out.get(action) ?? []), ...[st.Resource].flat().map(flat)]);
    }
  }
  return out;
}

describe('user memory in the stack', () => {
  it('converse may recall and record, users may list and delete, on the registered memories only; no other function touches memory', () => {
    expect(stageConfig('dev').agentCoreMemories.map((m) => m.arn)).toEqual([MEMORY]);
    for (const group of ROUTE_GROUPS) {
      const expected = (MEMORY_ACTIONS[group] ?? []).map((a) => `bedrock-agentcore:${a}`).sort();
      const g = memoryGrants(dev, group);
      expect([...g.keys()].sort(), group).toEqual(expected);
      for (const resources of g.values()) expect(resources).toEqual([MEMORY]);
    }
    // Recall and record; the listing and deleting of forgetting again an exchange recorded while "forget me" ran.
    expect(MEMORY_ACTIONS.converse).toEqual([
      'RetrieveMemoryRecords',
      'CreateEvent',
      'ListSessions',
      'ListEvents',
      'DeleteEvent',
      'ListMemoryRecords',
      'BatchDeleteMemoryRecords',
    ]);
  });

  it('the functions get the registered memories as AGENTCORE_MEMORIES; a stage without memories gets neither the variable nor a grant', () => {
    const env = dev.json.Resources[logicalIdOf(dev, dev.stack.functions.byGroup.get('converse')!)]!.Properties.Environment.Variables;
    expect(JSON.parse(env.AGENTCORE_MEMORIES)).toEqual([{ arn: MEMORY }]);
    const prodEnv = prod.json.Resources[logicalIdOf(prod, prod.stack.functions.byGroup.get('converse')!)]!.Properties.Environment.Variables;
    expect(prodEnv.AGENTCORE_MEMORIES).toBeUndefined();
    for (const group of ROUTE_GROUPS) expect([...memoryGrants(prod, group).keys()], group).toEqual([]);
  });

  it('cdk-nag has nothing to say about the memory grants', () => {
    const errors = dev.report.pluginReports.flatMap((p) => p.violations);
    expect(errors).toEqual([]);
  });

  it('the stage config refuses what is not a memory ARN or a namespace without {actorId}', () => {
    const base = { ...stageConfig('dev') } as Record<string, unknown>;
    expect(() => parseStageConfig({ ...base, agentCoreMemories: [{ arn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/x-DEVHARNES1' }] })).toThrow(
      /agentCoreMemories\.0\.arn/,
    );
    expect(() => parseStageConfig({ ...base, agentCoreMemories: [{ arn: MEMORY, namespace: '/users/all' }] })).toThrow(/agentCoreMemories\.0\.namespace/);
  });
});
