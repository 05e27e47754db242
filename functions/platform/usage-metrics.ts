/**
 * Usage metrics through Powertools Metrics (EMF lines on stdout; CloudWatch Logs extracts them): tokens,
 * cost, turns and failures per chat app and agent, budget refusals per chat app. Each record is published
 * at once and synchronously (no await between adding and publishing), so concurrent turns in one process
 * never mix their dimensions.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './metrics';

export const USAGE_METRICS = {
  inputTokens: 'InputTokens',
  outputTokens: 'OutputTokens',
  cost: 'CostUsd',
  turns: 'Turns',
  failures: 'TurnFailures',
  budgetRefusals: 'BudgetRefusals',
} as const;

let instance: Metrics | undefined;
function metrics(): Metrics {
  instance ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'pika-chat' });
  return instance;
}

export interface UsageRecord {
  chatAppId: string;
  agentId: string;
  usage: { inputTokens: number; outputTokens: number; totalCost: number };
  /** 1 for an answer (0 for a title or other extra cost). */
  turns: number;
  failed?: boolean;
}

/** Per chat app and agent, and per chat app alone (what the daily cost alarm watches). */
export function recordUsage(r: UsageRecord): void {
  try {
    const m = metrics();
    const sets: Array<Record<string, string>> = [{ chatAppId: r.chatAppId, agentId: r.agentId }, { chatAppId: r.chatAppId }];
    for (const dimensions of sets) {
      m.addDimensions(dimensions);
      m.addMetric(USAGE_METRICS.inputTokens, MetricUnit.Count, r.usage.inputTokens);
      m.addMetric(USAGE_METRICS.outputTokens, MetricUnit.Count, r.usage.outputTokens);
      m.addMetric(USAGE_METRICS.cost, MetricUnit.NoUnit, r.usage.totalCost);
      m.addMetric(USAGE_METRICS.turns, MetricUnit.Count, r.turns);
      if (r.turns) m.addMetric(USAGE_METRICS.failures, MetricUnit.Count, r.failed ? 1 : 0);
      m.publishStoredMetrics();
    }
  } catch {
    // Metrics never fail a turn.
  }
}

export function recordBudgetRefusal(chatAppId: string): void {
  try {
    const m = metrics();
    m.addDimensions({ chatAppId });
    m.addMetric(USAGE_METRICS.budgetRefusals, MetricUnit.Count, 1);
    m.publishStoredMetrics();
  } catch {
    // Metrics never fail a request.
  }
}
