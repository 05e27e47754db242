/**
 * The front's public types (options, stats, the handle) and the shapes its modules share: tables, indexes, what
 * it knows of an item, what a request touches, an answer on the wire.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { IncomingHttpHeaders } from 'node:http';

export interface DynamoDbFrontOptions {
  /** DynamoDB Local's endpoint. */
  target: string;
  /** How long a transaction keeps its items after DynamoDB Local answered (default 15 ms). */
  holdMs?: number;
  /** Divides the per-partition limits (1,000 WCU/s, 3,000 RCU/s); default 1. */
  scale?: number;
  /** Seconds of a partition's rate it may save up and spend at once (default 1). */
  burstSeconds?: number;
  /** Enforce transaction conflicts (default true). */
  conflicts?: boolean;
  /** Enforce per-partition throughput (default true). */
  throttling?: boolean;
  /** Hottest partitions listed by stats() (default 10). */
  topN?: number;
  /** Default: a free port on 127.0.0.1. */
  port?: number;
}

export interface HotPartition {
  partition: string;
  units: number;
}

export interface DynamoDbFrontStats {
  /** Requests received, per operation (`DynamoDB_20120810.PutItem` → `PutItem`; streams calls under their own name). */
  requests: Record<string, number>;
  conflicts: {
    /** TransactWriteItems refused with TransactionConflict reasons. */
    cancelledTransactions: number;
    /** TransactGetItems refused or cancelled because a write held one of its items. */
    cancelledTransactGets: number;
    /** PutItem / UpdateItem / DeleteItem refused with TransactionConflictException. */
    singleWriteConflicts: number;
    /** BatchWriteItem requests returned as UnprocessedItems because a transaction held the item. */
    batchItemsUnprocessed: number;
  };
  throttles: {
    /** Single requests refused whole (ThrottlingException / ProvisionedThroughputExceededException). */
    requests: number;
    /** Transactions cancelled with a ThrottlingError reason. */
    transactions: number;
    /** Batch requests returned as UnprocessedItems / UnprocessedKeys. */
    batchItems: number;
    /** Per ThrottlingReason (`TableWriteKeyRangeThroughputExceeded`, …). */
    byReason: Record<string, number>;
  };
  /** Writes answered 500 InternalServerError by refuseWrites(). */
  refusedWrites: number;
  /** Now: items held by transactions, items being written by single and batch writes, TransactGetItems under way. */
  inFlight: { heldItems: number; writtenItems: number; transactGets: number };
  /** Units charged to admitted requests. */
  consumed: { wcu: number; rcu: number };
  /** The partitions that consumed most, `table pk=value` or `table/index/gsi pk=value`. */
  hotPartitions: { wcu: HotPartition[]; rcu: HotPartition[] };
}

export interface DynamoDbFront {
  endpoint: string;
  port: number;
  stats(): DynamoDbFrontStats;
  resetStats(): void;
  setMode(mode: { conflicts?: boolean; throttling?: boolean }): void;
  /** Every write is answered 500 InternalServerError for `ms` (0 ends it now); reads go on. */
  refuseWrites(ms: number): void;
  stop(): Promise<void>;
}

export type Av = AttributeValue;
export type Item = Record<string, Av>;
export type Json = Record<string, unknown>;

export interface Index {
  name: string;
  arn: string;
  pk: string;
  sk: string | undefined;
  /** undefined: every attribute (ALL). */
  projected: Set<string> | undefined;
}

export interface Table {
  name: string;
  arn: string;
  pk: string;
  sk: string | undefined;
  onDemand: boolean;
  indexes: Index[];
}

/** What the front knows of an item: its size and its index keys (undefined: not in that index). */
export interface Known {
  exists: boolean;
  size: number;
  indexKeys: Record<string, string | undefined>;
}

/** One item a request touches, with what it costs where. */
export interface Touch {
  table: Table;
  id: string;
  /** Partition → units (writes: charged before; reads: the minimum to be admitted). */
  charges: Map<string, number>;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface TransactGet {
  index: Map<string, number>;
  doomed: Set<number>;
}
