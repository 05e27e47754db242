/**
 * Paginated Queries with signed cursors (functions/platform/cursor.ts), bound to the caller and to a query string
 * naming the list and every parameter that shapes it. `queryPage` pages one key condition;
 * `mergedQueryPage` merges several (index shards, message kinds) in sort order, the cursor holding each
 * source's position. Pages look one item ahead, so the last page carries no cursor.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { invalidCursor as invalidCursorError } from './errors';
import { decodeCursor, encodeCursor } from '../platform/cursor';
import { batchGet } from './batch';
import { ddb, tableName } from './client';
import type { RawItem } from './items';
import { GSIS, TABLE_PARTITION_KEY, TABLE_SORT_KEY } from './table-definition';

import type { Page } from 'pika-shared/types/chatbot/chatbot-types';
export type { Page };

export interface PageRequest {
  limit?: number;
  cursor?: string;
  /** The userId the cursor is issued to and checked against. */
  caller: string;
}

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

export function normalizeLimit(limit: number | undefined, max = MAX_PAGE_LIMIT): number {
  if (limit === undefined || !Number.isFinite(limit)) return Math.min(DEFAULT_PAGE_LIMIT, max);
  return Math.max(1, Math.min(max, Math.floor(limit)));
}

/** `name:{...}` with keys sorted and undefined dropped: equal parameters give an equal string. */
export function queryString(name: string, params: Record<string, unknown>): string {
  const sorted = Object.keys(params)
    .sort()
    .filter((k) => params[k] !== undefined)
    .map((k) => [k, params[k]]);
  return `${name}:${JSON.stringify(Object.fromEntries(sorted))}`;
}

/** A Query without table name, limit and start key: those are the pager's business. */
export type QuerySource = Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>;
type Key = Record<string, unknown>;

/** The attributes of the LastEvaluatedKey of a Query on the table or on one GSI. */
function keyAttributes(indexName: string | undefined): string[] {
  const base = [TABLE_PARTITION_KEY, TABLE_SORT_KEY];
  if (!indexName) return base;
  const gsi = GSIS.find((g) => g.indexName === indexName);
  if (!gsi) throw new Error(`unknown index ${indexName}`);
  return [...base, gsi.partitionKey, gsi.sortKey];
}

function sortKeyAttribute(indexName: string | undefined): string {
  return indexName ? (GSIS.find((g) => g.indexName === indexName)?.sortKey ?? TABLE_SORT_KEY) : TABLE_SORT_KEY;
}

const keyOf = (item: RawItem, attrs: string[]): Key => Object.fromEntries(attrs.map((a) => [a, item[a]]));

/** Up to `want` items of one source after `start`, plus the LastEvaluatedKey (undefined = exhausted). */
interface Fetched {
  items: RawItem[];
  lastKey?: Key;
}

async function fetchSource(source: QuerySource, start: Key | null, want: number): Promise<Fetched> {
  const items: RawItem[] = [];
  let startKey: Key | undefined = start ?? undefined;
  const filtered = source.FilterExpression !== undefined;
  // A FilterExpression applies after Limit: keep reading (bounded) until enough items matched.
  for (let round = 0; round < (filtered ? 5 : 1); round++) {
    const out = await ddb().send(
      new QueryCommand({
        ...source,
        TableName: tableName(),
        Limit: filtered ? Math.min(MAX_PAGE_LIMIT * 2, Math.max(want - items.length, 1) * 4) : want - items.length,
        ...(source.IndexName ? {} : { ConsistentRead: true }),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
    if (!startKey || items.length >= want) break;
  }
  return { items, ...(startKey ? { lastKey: startKey } : {}) };
}

export interface MergeOptions<T> {
  /** An item's record (its entity's `record`, items.ts). */
  read: (item: RawItem) => T;
  limit?: number;
  cursor?: string;
  caller: string;
  /** queryString(...) of the list and all its parameters. */
  query: string;
  order: 'asc' | 'desc';
  /**
   * The value the sources are sorted by, read from an item or a key (default: the sort key of the
   * queried index). Must be unique across sources and follow each source's own order.
   */
  sortValue?: (itemOrKey: Key) => string;
  /**
   * The sources are index Queries whose entries carry only part of each item (INCLUDE projections): the page
   * is read whole with BatchGetItem, in page order.
   */
  hydrate?: boolean;
}

/** The page's items: as read, or read whole by their table keys (see MergeOptions.hydrate). */
async function pageItems<T>(page: RawItem[], opts: { hydrate?: boolean; read: (item: RawItem) => T }): Promise<T[]> {
  const items = opts.hydrate ? await hydrateItems(page) : page;
  return items.map(opts.read);
}

/** Index entries → the whole items, in the same order (an item deleted since it was listed is left out). */
export function hydrateItems(entries: RawItem[]): Promise<RawItem[]> {
  return batchGet(entries.map((e) => ({ pk: String(e[TABLE_PARTITION_KEY]), sk: String(e[TABLE_SORT_KEY]) })));
}

/** One source's position in a merged cursor: null = from the start, key = after it, false = exhausted. */
type Position = Key | null | false;

const invalidCursor = () => invalidCursorError('The cursor is invalid, expired or belongs to another query');

/**
 * k-way merge of several Queries that are each sorted by `sortValue` in `order` (their ScanIndexForward
 * must match). Each round reads up to limit+1 items per source; an item is emitted only when no source
 * that still has unread items could hold an earlier one.
 */
export async function mergedQueryPage<T>(sources: QuerySource[], opts: MergeOptions<T>): Promise<Page<T>> {
  const limit = normalizeLimit(opts.limit);
  const binding = { caller: opts.caller, query: opts.query };
  let positions: Position[] = sources.map(() => null);
  if (opts.cursor !== undefined) {
    const decoded = decodeCursor<unknown>(opts.cursor, binding);
    if (!Array.isArray(decoded) || decoded.length !== sources.length) throw invalidCursor();
    positions = decoded as Position[];
  }
  const attrs = sources.map((s) => keyAttributes(s.IndexName));
  const sortValues = sources.map((s) => opts.sortValue ?? ((k: Key) => String(k[sortKeyAttribute(s.IndexName)])));
  const before = (a: string, b: string) => (opts.order === 'asc' ? a < b : a > b);

  const emitted: RawItem[] = [];
  for (let round = 0; round < 4 && emitted.length < limit && positions.some((p) => p !== false); round++) {
    const want = limit - emitted.length + 1;
    const fetched = await Promise.all(
      sources.map((s, i): Promise<Fetched> | Fetched => (positions[i] === false ? { items: [] } : fetchSource(s, positions[i] as Key | null, want))),
    );
    // Nothing past the earliest last-read key of an unfinished source can be emitted this round.
    let cutoff: string | undefined;
    fetched.forEach((f, i) => {
      if (!f.lastKey) return;
      const v = sortValues[i]!(f.lastKey);
      if (cutoff === undefined || before(v, cutoff)) cutoff = v;
    });
    const candidates = fetched
      .flatMap((f, i) => f.items.map((item) => ({ item, i, v: sortValues[i]!(item) })))
      .filter((c) => cutoff === undefined || c.v === cutoff || before(c.v, cutoff))
      .sort((a, b) => (a.v === b.v ? a.i - b.i : before(a.v, b.v) ? -1 : 1))
      .slice(0, limit - emitted.length);
    const takenPerSource = sources.map(() => 0);
    const lastTaken: (RawItem | undefined)[] = sources.map(() => undefined);
    for (const c of candidates) {
      emitted.push(c.item);
      takenPerSource[c.i]!++;
      lastTaken[c.i] = c.item;
    }
    positions = positions.map((p, i) => {
      if (p === false) return false;
      const f = fetched[i]!;
      if (takenPerSource[i] === f.items.length) return f.lastKey ?? false; // everything read was emitted
      const last = lastTaken[i];
      return last ? keyOf(last, attrs[i]!) : p;
    });
  }
  const done = positions.every((p) => p === false);
  return {
    items: await pageItems(emitted, opts),
    ...(done ? {} : { nextCursor: encodeCursor(positions, binding) }),
  };
}

/** One Query, paginated: `Limit` + a signed cursor holding the position (DynamoDB's start key). */
export async function queryPage<T>(source: QuerySource, opts: Omit<MergeOptions<T>, 'order' | 'sortValue'>): Promise<Page<T>> {
  const limit = normalizeLimit(opts.limit);
  const binding = { caller: opts.caller, query: opts.query };
  let start: Key | null = null;
  if (opts.cursor !== undefined) {
    const decoded = decodeCursor<unknown>(opts.cursor, binding);
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) throw invalidCursor();
    start = decoded as Key;
  }
  const { items, lastKey } = await fetchSource(source, start, limit + 1);
  const page = items.slice(0, limit);
  // More may follow if we read past the page (look-ahead) or DynamoDB stopped early (1 MB, filter rounds).
  const next = items.length > limit ? keyOf(page[page.length - 1]!, keyAttributes(source.IndexName)) : lastKey;
  return {
    items: await pageItems(page, opts),
    ...(next ? { nextCursor: encodeCursor(next, binding) } : {}),
  };
}

/** Every page of a query, in order, as the table answers them (an async generator: stop reading when done). */
export async function* queryPages(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): AsyncGenerator<RawItem[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await ddb().send(new QueryCommand({ ...input, TableName: tableName(), ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    yield out.Items ?? [];
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

/** Every item of a query; stops after the page that passes `maxItems` (the caller refuses or cuts). */
export async function queryAllPages(
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  maxItems = Number.POSITIVE_INFINITY,
): Promise<RawItem[]> {
  const items: RawItem[] = [];
  for await (const page of queryPages(input)) {
    items.push(...page);
    if (items.length > maxItems) break;
  }
  return items;
}
