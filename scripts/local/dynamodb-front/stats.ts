/** The front's counters: empty ones, a snapshot with what is in flight and the hottest partitions, a reset. */
import type { FrontState } from './state';
import type { DynamoDbFrontStats } from './types';

export function emptyStats(): DynamoDbFrontStats {
  return {
    requests: {},
    conflicts: { cancelledTransactions: 0, cancelledTransactGets: 0, singleWriteConflicts: 0, batchItemsUnprocessed: 0 },
    throttles: { requests: 0, transactions: 0, batchItems: 0, byReason: {} },
    refusedWrites: 0,
    inFlight: { heldItems: 0, writtenItems: 0, transactGets: 0 },
    consumed: { wcu: 0, rcu: 0 },
    hotPartitions: { wcu: [], rcu: [] },
  };
}

export function stats(front: FrontState): DynamoDbFrontStats {
  const top = (by: Map<string, number>) =>
    [...by]
      .sort((a, b) => b[1] - a[1])
      .slice(0, front.topN)
      .map(([partition, units]) => ({ partition, units }));
  const gets = new Set([...front.transactGets.values()].flatMap((set) => [...set])).size;
  const inFlight = { heldItems: front.held.size, writtenItems: front.writing.size, transactGets: gets };
  return structuredClone({ ...front.counters, inFlight, hotPartitions: { wcu: top(front.wcuBy), rcu: top(front.rcuBy) } });
}

export function resetStats(front: FrontState) {
  front.counters = emptyStats();
  front.wcuBy = new Map();
  front.rcuBy = new Map();
}
