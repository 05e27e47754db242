/**
 * Per-partition throughput: each partition's token bucket, which partitions a request finds short, charging
 * admitted requests, what a write or read costs, and the throttling error DynamoDB would give.
 */
import { indexPartition, tablePartition } from './items';
import {
  errorBody,
  jsonAnswer,
  ON_DEMAND_INDEX_MESSAGE,
  ON_DEMAND_TABLE_MESSAGE,
  PROVISIONED_INDEX_MESSAGE,
  PROVISIONED_TABLE_MESSAGE,
  TYPE_PREFIX,
} from './protocol';
import type { FrontState } from './state';
import { Bucket } from './token-bucket';
import type { Answer, Item, Known, Table, Touch } from './types';

const PARTITION_WCU = 1_000;
const PARTITION_RCU = 3_000;

export function bucket(front: FrontState, partition: string, kind: 'w' | 'r'): Bucket {
  const key = `${kind}\u0000${partition}`;
  let b = front.buckets.get(key);
  if (!b) {
    if (front.buckets.size > 200_000) for (const [k, old] of front.buckets) if (old.refill(performance.now()).tokens >= old.capacity) front.buckets.delete(k);
    const rate = (kind === 'w' ? PARTITION_WCU : PARTITION_RCU) / front.scale;
    b = new Bucket(rate, Math.max(rate * front.burstSeconds, 1));
    front.buckets.set(key, b);
  }
  return b.refill(performance.now());
}

/** Partitions (of `charges` summed over `touches`) without room, given what the same request asks of each. */
export function shortPartitions(front: FrontState, touches: Touch[], kind: 'w' | 'r'): Set<string> {
  const demand = new Map<string, number>();
  for (const t of touches) for (const [p, u] of t.charges) demand.set(p, (demand.get(p) ?? 0) + u);
  const short = new Set<string>();
  for (const [p, u] of demand) if (!bucket(front, p, kind).admits(u)) short.add(p);
  return short;
}

export function charge(front: FrontState, partition: string, units: number, kind: 'w' | 'r') {
  if (units <= 0) return;
  if (front.mode.throttling) bucket(front, partition, kind).tokens -= units;
  const by = kind === 'w' ? front.wcuBy : front.rcuBy;
  by.set(partition, (by.get(partition) ?? 0) + units);
  if (kind === 'w') front.counters.consumed.wcu += units;
  else front.counters.consumed.rcu += units;
}

/** The units a write of one item costs on its table partition and its index partitions. */
export function writeCharges(t: Table, key: Item, before: Known, after: Known, touched: Set<string> | undefined, factor: number): Map<string, number> {
  const charges = new Map<string, number>();
  const add = (p: string, u: number) => charges.set(p, (charges.get(p) ?? 0) + u * factor);
  add(tablePartition(t, key), Math.max(1, Math.ceil(Math.max(before.size, after.size) / 1024)));
  for (const g of t.indexes) {
    const old = before.indexKeys[g.name];
    const now = after.indexKeys[g.name];
    if (old === undefined && now === undefined) continue;
    const relevant = !touched || [...touched].some((a) => a === g.pk || a === g.sk || !g.projected || g.projected.has(a));
    if (!relevant) continue;
    const entry = Math.max(1, Math.ceil((g.projected ? Math.min(after.size || before.size, 1024) : after.size || before.size) / 1024));
    const keyChanged = touched ? touched.has(g.pk) || (g.sk !== undefined && touched.has(g.sk)) : old !== now;
    if (old !== undefined && (now === undefined || old !== now || keyChanged)) add(indexPartition(t, g, old), 1);
    if (now !== undefined) add(indexPartition(t, g, now), entry);
  }
  return charges;
}

export const readUnits = (bytes: number, consistent: boolean, factor = 1) => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5) * factor;

/** The reason a throttled touch gives, and the ThrottlingReason DynamoDB would name. */
export function throttleReason(touch: Touch, short: Set<string>, kind: 'w' | 'r') {
  const t = touch.table;
  const op = kind === 'w' ? 'Write' : 'Read';
  const onTable = [...touch.charges.keys()].some((p) => short.has(p) && !p.includes('/index/'));
  const index = onTable ? undefined : t.indexes.find((g) => [...touch.charges.keys()].some((p) => short.has(p) && p.startsWith(`${t.name}/index/${g.name} `)));
  const reason = `${onTable || !index ? 'Table' : 'Index'}${op}KeyRangeThroughputExceeded`;
  const resource = index ? index.arn : t.arn;
  const message = t.onDemand ? (index ? ON_DEMAND_INDEX_MESSAGE : ON_DEMAND_TABLE_MESSAGE) : index ? PROVISIONED_INDEX_MESSAGE : PROVISIONED_TABLE_MESSAGE;
  return { reason, resource, message, onDemand: t.onDemand };
}

export function throttled(front: FrontState, r: ReturnType<typeof throttleReason>): Answer {
  front.counters.throttles.requests++;
  front.counters.throttles.byReason[r.reason] = (front.counters.throttles.byReason[r.reason] ?? 0) + 1;
  const reasons = [{ reason: r.reason, resource: r.resource }];
  return r.onDemand
    ? jsonAnswer(400, errorBody('com.amazon.coral.availability#ThrottlingException', { message: r.message, throttlingReasons: reasons }))
    : jsonAnswer(400, errorBody(`${TYPE_PREFIX}ProvisionedThroughputExceededException`, { message: r.message, ThrottlingReasons: reasons }));
}

export const countReason = (front: FrontState, reason: string) => {
  front.counters.throttles.byReason[reason] = (front.counters.throttles.byReason[reason] ?? 0) + 1;
};
