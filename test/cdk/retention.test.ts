/**
 * Retention in the synthesized stack (issue 27 item 4): an EventBridge schedule runs the retention sweep, which
 * may only read and move the table's items (its TABLE_ACCESS) and delete objects under files/ of the files
 * bucket; the stage default reaches every function as ITEM_TTL_DAYS (prod states its choice); no files lifecycle
 * rule expires a file by its age alone (files/ objects go with their session, through the sweep).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../lib/config/stages';
import { RETENTION_SWEEP_MINUTES } from '../../lib/constructs/chat-retention';
import { flat, logicalIdOf, resourcesOf, statementsByRole, synthStage, type Synthesized } from './helpers';

let dev: Synthesized;
let prod: Synthesized;

beforeAll(() => {
  dev = synthStage('dev');
  prod = synthStage('prod');
}, 120_000);
afterAll(() => {
  for (const s of [dev, prod]) s?.cleanup();
});

describe('retention (AWS)', () => {
  it('an EventBridge schedule runs the retention sweep every RETENTION_SWEEP_MINUTES, without API secrets', () => {
    for (const s of [dev, prod]) {
      const sweep = logicalIdOf(s, s.stack.functions.retentionSweep);
      const rules = resourcesOf(s, 'AWS::Events::Rule').filter(([, r]) => flat(r.Properties.Targets[0].Arn) === `<${sweep}.Arn>`);
      expect(rules).toHaveLength(1);
      expect(rules[0]![1].Properties.ScheduleExpression).toBe(`rate(${RETENTION_SWEEP_MINUTES} minutes)`);
      const env = s.json.Resources[sweep]!.Properties.Environment.Variables;
      expect(env.JWT_SECRET_ARN).toBeUndefined();
      expect(env.CURSOR_SECRET_ARN).toBeUndefined();
    }
  });

  it('the sweep may read and move items (gsi1 for due entries) and delete files/ objects, nothing else', () => {
    const statements = statementsByRole(dev).get(logicalIdOf(dev, dev.stack.functions.retentionSweep.role!)) ?? [];
    const actions = statements.flatMap((st: any) => [st.Action].flat()).filter((a: string) => /^(dynamodb|s3):/.test(a));
    expect([...new Set(actions)].sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 's3:DeleteObject']);
    const s3 = statements.find((st: any) => [st.Action].flat().includes('s3:DeleteObject'))!;
    expect(flat(s3.Resource)).toBe(`<${logicalIdOf(dev, dev.stack.files.bucket)}.Arn>/files/*`);
    const query = statements.find((st: any) => [st.Action].flat().includes('dynamodb:Query'))!;
    expect(
      [query.Resource]
        .flat()
        .map(flat)
        .some((r: string) => r.endsWith('/index/gsi1')),
    ).toBe(true);
  });

  it('every function gets the stage default as ITEM_TTL_DAYS; prod states its choice', () => {
    expect(stageConfig('prod').itemTtlDays).toBe(365);
    for (const [s, days] of [
      [dev, stageConfig('dev').itemTtlDays],
      [prod, 365],
    ] as const) {
      const fns = resourcesOf(s, 'AWS::Lambda::Function').filter(([, r]) => r.Properties.Environment?.Variables?.TABLE_NAME);
      expect(fns.length).toBeGreaterThan(5);
      for (const [, fn] of fns) expect(fn.Properties.Environment.Variables.ITEM_TTL_DAYS).toBe(String(days));
    }
  });
});
