/**
 * Capacity: the load a stage is sized for (`capacity.load`) and what follows from it — converse's API Gateway
 * throttle and reserved concurrency, the insights worker's concurrency — plus the checks that the settings
 * hold together (docs/scaling.md has the formulas and the AWS limits behind them). Pure functions of the
 * stage's settings: the schema validates with them, the stack deploys what they return.
 */
import { INDEX_SHARDS } from '../../functions/data/keys';
import { SWEEP_PAGE } from '../../functions/insights/sweep';

/** Lambda keeps at least this many of the account's concurrent executions unreserved. */
export const UNRESERVED_MINIMUM = 100;
/** Lambda gives a function one full vCPU at 1,769 MB, proportionally less below. */
export const FULL_VCPU_MB = 1769;
/** How fast one function may add execution environments: 1,000 every 10 seconds. */
export const LAMBDA_SCALING_PER_10_SECONDS = 1000;
/** Session activities the insights sweep can queue per round: one page per shard of the due index. */
export const SWEEP_ENTRIES_PER_ROUND = INDEX_SHARDS * SWEEP_PAGE;

export interface Load {
  /** Converse turns started per second, sustained. */
  readonly turnsPerSecond: number;
  /** How long an answer streams: a turn holds one converse execution for this long. */
  readonly answerSeconds: number;
  /** Short peaks above the sustained rate: API Gateway's bucket holds burstFactor × turnsPerSecond requests. */
  readonly burstFactor: number;
  /** Margin on the executions the sustained load needs. */
  readonly headroom: number;
  /** Session activities due for generated insights per second (sessions going idle, in chat apps with an insights model). */
  readonly insightJobsPerSecond: number;
  /** How long one insights job takes (at most two model calls). */
  readonly insightJobSeconds: number;
}

export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** The settings capacity is computed from (a subset of StageConfig, so the schema can use it while validating). */
export interface CapacityInput {
  readonly converseThrottling?: Throttle | undefined;
  readonly insights: { readonly enabled: boolean; readonly sweepMinutes: number; readonly sweepRounds: number; readonly maxConcurrency: number };
  readonly capacity: {
    readonly load?: Load | undefined;
    readonly accountConcurrency: number;
    readonly converseReservedConcurrency?: number | undefined;
    readonly authorizerReservedConcurrency?: number | undefined;
    readonly routeReservedConcurrency?: number | undefined;
    readonly converseMemoryMb: number;
  };
}

/** Executions a load holds at once: turns/s × answer seconds (Little's law), times the headroom. */
export const converseConcurrencyFor = (load: Load): number => Math.ceil(load.turnsPerSecond * load.answerSeconds * load.headroom);

/** API Gateway's throttle for converse: the sustained rate, and a bucket of burstFactor × that rate. */
export const converseThrottleFor = (load: Load): Throttle => ({
  rateLimit: load.turnsPerSecond,
  burstLimit: Math.ceil(load.turnsPerSecond * load.burstFactor),
});

/** Insights jobs the sweep can queue per second: SWEEP_ENTRIES_PER_RUN every sweepMinutes. */
export const sweepCeilingPerSecond = (sweepMinutes: number, sweepRounds = 1): number => (SWEEP_ENTRIES_PER_ROUND * sweepRounds) / (sweepMinutes * 60);

/** Worker invocations the insights load keeps busy: jobs/s × seconds per job, times the headroom. */
export const insightsWorkersFor = (load: Load): number => Math.ceil(load.insightJobsPerSecond * load.insightJobSeconds * load.headroom);

export interface Capacity {
  /** Converse's API Gateway throttle: the stage's own, else derived from the load; absent = the stage throttle only. */
  readonly converseThrottling: Throttle | undefined;
  /** Reserved concurrency per function (converse, authorizer, and each route function by its group). */
  readonly converseReserved: number | undefined;
  readonly authorizerReserved: number | undefined;
  readonly routeReserved: number | undefined;
  /** All reservations together, for `routeFunctions` route functions. */
  readonly reservedTotal: number;
  /** What the account has left for every other function (the insights sweep and worker among them). */
  readonly unreserved: number;
}

/** The capacity a stage deploys; `routeFunctions` = the route functions besides converse (they each get routeReservedConcurrency). */
export function capacityOf(c: CapacityInput, routeFunctions: number): Capacity {
  const { load } = c.capacity;
  const converseReserved = c.capacity.converseReservedConcurrency ?? (load ? converseConcurrencyFor(load) : undefined);
  const authorizerReserved = c.capacity.authorizerReservedConcurrency;
  const routeReserved = c.capacity.routeReservedConcurrency;
  const reservedTotal = (converseReserved ?? 0) + (authorizerReserved ?? 0) + (routeReserved ?? 0) * routeFunctions;
  return {
    converseThrottling: c.converseThrottling ?? (load ? converseThrottleFor(load) : undefined),
    converseReserved,
    authorizerReserved,
    routeReserved,
    reservedTotal,
    unreserved: c.capacity.accountConcurrency - reservedTotal,
  };
}

export interface CapacityIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Settings that cannot serve the stated load, or that Lambda would refuse; empty when they hold together. */
export function capacityIssues(c: CapacityInput, routeFunctions: number): CapacityIssue[] {
  const issues: CapacityIssue[] = [];
  const cap = capacityOf(c, routeFunctions);
  const { load, accountConcurrency } = c.capacity;
  if (load && c.capacity.converseReservedConcurrency !== undefined) {
    const needed = Math.ceil(load.turnsPerSecond * load.answerSeconds);
    if (c.capacity.converseReservedConcurrency < needed)
      issues.push({
        path: ['capacity', 'converseReservedConcurrency'],
        message: `below the ${needed} executions the stated load holds at once (${load.turnsPerSecond} turns/s × ${load.answerSeconds} s answers)`,
      });
  }
  if (load && cap.converseReserved !== undefined && cap.converseThrottling) {
    const admitted = cap.converseThrottling.rateLimit * load.answerSeconds;
    if (admitted > cap.converseReserved)
      issues.push({
        path: ['converseThrottling', 'rateLimit'],
        message: `admits ${cap.converseThrottling.rateLimit} turns/s × ${load.answerSeconds} s = ${admitted} answers at once, more than converse's ${cap.converseReserved} reserved executions (the excess would fail as Lambda throttles, not 429s)`,
      });
  }
  if (cap.reservedTotal > 0 && cap.unreserved < UNRESERVED_MINIMUM)
    issues.push({
      path: ['capacity', 'accountConcurrency'],
      message: `the reservations (${cap.reservedTotal}: converse ${cap.converseReserved ?? 0}, authorizer ${cap.authorizerReserved ?? 0}, ${routeFunctions} route functions × ${cap.routeReserved ?? 0}) must leave Lambda's ${UNRESERVED_MINIMUM} unreserved executions of the account's ${accountConcurrency}: raise the quota (and this setting) or reserve less`,
    });
  else if (cap.reservedTotal > 0 && c.insights.enabled && cap.unreserved < c.insights.maxConcurrency + 1)
    issues.push({
      path: ['insights', 'maxConcurrency'],
      message: `the insights worker (${c.insights.maxConcurrency}) and sweep (1) run in the ${cap.unreserved} executions the reservations leave of the account's ${accountConcurrency}`,
    });
  if (load && c.insights.enabled && load.insightJobsPerSecond > 0) {
    const workers = insightsWorkersFor(load);
    if (c.insights.maxConcurrency < workers)
      issues.push({
        path: ['insights', 'maxConcurrency'],
        message: `below the ${workers} worker invocations the stated insights load keeps busy (${load.insightJobsPerSecond} jobs/s × ${load.insightJobSeconds} s × ${load.headroom})`,
      });
  }
  return issues;
}

/** A warning (not an error) when the stated insights load is more than the sweep can queue: the due index backs up. */
export function sweepShortfall(c: CapacityInput): string | undefined {
  const load = c.capacity.load;
  if (!load || !c.insights.enabled || load.insightJobsPerSecond <= 0) return undefined;
  const ceiling = sweepCeilingPerSecond(c.insights.sweepMinutes, c.insights.sweepRounds);
  if (load.insightJobsPerSecond <= ceiling) return undefined;
  return (
    `Generated insights: the stated load makes ${load.insightJobsPerSecond} session activities due per second, but the sweep queues at most ` +
    `${SWEEP_ENTRIES_PER_ROUND * c.insights.sweepRounds} per run (${INDEX_SHARDS} shards × ${SWEEP_PAGE} × ${c.insights.sweepRounds} rounds) every ${c.insights.sweepMinutes} min = ${ceiling.toFixed(2)}/s: ` +
    'the due index backs up and insights arrive later and later (docs/scaling.md, Generated insights).'
  );
}
