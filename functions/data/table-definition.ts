/**
 * The one DynamoDB table, described once. The CDK construct (lib/) and the local/test table creation
 * (scripts/local, test/setup) both build the table from this object, so they cannot drift.
 * See docs/data-model.md for the access pattern each key and index serves.
 */
export interface GsiDefinition {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** The non-key attributes the index carries (projection INCLUDE). */
  readonly projected: readonly string[];
  /** What the index serves (documentation only). */
  readonly serves: string;
}

export const TABLE_PARTITION_KEY = 'pk';
export const TABLE_SORT_KEY = 'sk';
/** Epoch seconds; items carrying it expire (DynamoDB TTL). Absent = kept forever. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * What every index carries of a session: what session search filters and sorts on (session-search.ts), so
 * that a search reads candidates from an index alone. Never what a converse turn changes (usage counters,
 * turn bookkeeping), so that a turn's writes leave the indexes alone except for the one activity re-sort
 * (`lastUpdate` and the activity sort keys). The two summary names are search-summaries.ts's.
 */
export const SESSION_INDEX_ATTRIBUTES = [
  'sessionId',
  'userId',
  'chatAppId',
  'createDate',
  'lastUpdate',
  'title',
  'flaggedForHumanReview',
  'customData',
  'insightsSummary',
  'feedbackSummary',
] as const;

/**
 * All GSIs are sparse (only items that carry the key attributes are indexed) and overloaded: the
 * same index serves different entity types under different partition-key prefixes.
 * Projection is INCLUDE, chosen per index (docs/data-model.md#index-projections): a list reads its page's
 * keys from the index and the items with one BatchGetItem, so the indexes need not carry — and be
 * rewritten for — what changes on every turn.
 */
export const GSIS = [
  {
    indexName: 'gsi1',
    partitionKey: 'gsi1pk',
    sortKey: 'gsi1sk',
    // Feedback lists filter on severity and type; the insights sweep reads its due entries from the index (the retention
    // sweep only their keys and sessionId).
    projected: [...SESSION_INDEX_ATTRIBUTES, 'feedbackId', 'severity', 'type', 'activity', 'attempts'],
    serves:
      "a user's sessions by last activity (USER#u / lastUpdate#sessionId); users by userId prefix (UIDX#abc / lower(userId)); feedback by status, sharded (FB#status#shard / createDate#feedbackId); sessions due for insights (INSDUE#shard / due#sessionId) and for the retention sweep (RETDUE#shard / due#sessionId)",
  },
  {
    indexName: 'gsi2',
    partitionKey: 'gsi2pk',
    sortKey: 'gsi2sk',
    projected: SESSION_INDEX_ATTRIBUTES,
    serves:
      "a user's sessions in one chat app by last activity (USER#u#APP#a / lastUpdate#sessionId); a user's usage days in a chat app (USAGE#U#u#A#a / D#day) and chat apps of a month (USAGE#U#u / M#month#a)",
  },
  {
    indexName: 'gsi3',
    partitionKey: 'gsi3pk',
    sortKey: 'gsi3sk',
    projected: SESSION_INDEX_ATTRIBUTES,
    serves: 'sessions of a chat app by creation date, sharded (APPC#a#shard / createDate#sessionId)',
  },
  {
    indexName: 'gsi4',
    partitionKey: 'gsi4pk',
    sortKey: 'gsi4sk',
    projected: SESSION_INDEX_ATTRIBUTES,
    serves: 'sessions of a chat app by last activity, sharded (APPU#a#shard / lastUpdate#sessionId)',
  },
] as const satisfies readonly GsiDefinition[];

export type GsiName = (typeof GSIS)[number]['indexName'];

/**
 * The table's stream: the usage stream consumer (functions/handlers/usage-stream.ts) reads the debit records'
 * new images from it.
 */
export const TABLE_STREAM_VIEW = 'NEW_IMAGE' as const;

export const TABLE_DEFINITION = {
  partitionKey: TABLE_PARTITION_KEY,
  stream: TABLE_STREAM_VIEW,
  sortKey: TABLE_SORT_KEY,
  ttlAttribute: TTL_ATTRIBUTE,
  gsis: GSIS,
} as const;

/**
 * The CreateTable input for DynamoDB Local and tests (on-demand billing, same keys and GSIs as CDK).
 * Kept as a plain object (no SDK import) so lib/ can also read it.
 */
export function createTableInput(tableName: string) {
  const keyAttributes = [TABLE_PARTITION_KEY, TABLE_SORT_KEY, ...GSIS.flatMap((g) => [g.partitionKey, g.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_STREAM_VIEW },
    AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_PARTITION_KEY, KeyType: 'HASH' as const },
      { AttributeName: TABLE_SORT_KEY, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: GSIS.map((g) => ({
      IndexName: g.indexName,
      KeySchema: [
        { AttributeName: g.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: g.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...g.projected] },
    })),
  };
}
