/** Usage metrics are EMF lines (Powertools Metrics) with the dimensions the CDK dashboard and alarms use. */
import { describe, expect, it } from 'vitest';
import { recordBudgetRefusal, recordUsage } from '../../functions/platform/usage-metrics';
import { captureLogs } from '../support/output';

const emf = (lines: string[]) => lines.map((l) => JSON.parse(l)).filter((l) => l._aws?.CloudWatchMetrics);

describe('usage metrics', () => {
  it('a turn: tokens, cost, turns and failures per chat app and agent, and per chat app alone', async () => {
    const lines = emf(
      await captureLogs(async () =>
        recordUsage({ chatAppId: 'app-1', agentId: 'agent-1', usage: { inputTokens: 100, outputTokens: 40, totalCost: 0.0009 }, turns: 1, failed: true }),
      ),
    );
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line._aws.CloudWatchMetrics[0].Namespace).toBe('PikaChat');
      expect(line).toMatchObject({ chatAppId: 'app-1', InputTokens: 100, OutputTokens: 40, CostUsd: 0.0009, Turns: 1, TurnFailures: 1 });
      expect(line.service).toBeTruthy();
    }
    expect(lines.map((l) => l._aws.CloudWatchMetrics[0].Dimensions[0].sort())).toEqual([
      ['agentId', 'chatAppId', 'service'],
      ['chatAppId', 'service'],
    ]);
    expect(lines[0].agentId).toBe('agent-1');
    expect(lines[1].agentId).toBeUndefined();
  });

  it('a budget refusal per chat app', async () => {
    const [line] = emf(await captureLogs(async () => recordBudgetRefusal('app-2')));
    expect(line).toMatchObject({ chatAppId: 'app-2', BudgetRefusals: 1 });
    expect(line._aws.CloudWatchMetrics[0].Dimensions[0].sort()).toEqual(['chatAppId', 'service']);
  });
});
