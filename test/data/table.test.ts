import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { TURN_ATTRIBUTES } from '../../functions/data/items';
import { SEARCH_SUMMARY_ATTRIBUTES } from '../../functions/data/search-summaries';
import { GSIS, TABLE_DEFINITION } from '../../functions/data/table-definition';

describe('the local table', () => {
  it('is created from the shared definition (keys and every GSI)', async () => {
    const client = new DynamoDBClient({});
    const { Table } = await client.send(new DescribeTableCommand({ TableName: process.env.TABLE_NAME }));
    client.destroy();
    expect(Table?.KeySchema).toEqual([
      { AttributeName: TABLE_DEFINITION.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_DEFINITION.sortKey, KeyType: 'RANGE' },
    ]);
    const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((g) => [
      g.IndexName,
      g.KeySchema?.map((k) => k.AttributeName),
      g.Projection?.ProjectionType,
      [...(g.Projection?.NonKeyAttributes ?? [])].sort(),
    ]);
    expect(indexes.sort()).toEqual(GSIS.map((g) => [g.indexName, [g.partitionKey, g.sortKey], 'INCLUDE', [...g.projected].sort()]).sort());
  });

  it('indexes carry nothing a converse turn changes (usage counters, turn bookkeeping)', () => {
    const changedByTurns = ['inputTokens', 'outputTokens', 'totalCost', ...Object.values(TURN_ATTRIBUTES)];
    for (const g of GSIS)
      expect(
        g.projected.filter((a) => changedByTurns.includes(a)),
        g.indexName,
      ).toEqual([]);
    // What session search filters on is in every index (session-search.ts reads candidates from them).
    for (const g of GSIS) expect(g.projected, g.indexName).toEqual(expect.arrayContaining([...SEARCH_SUMMARY_ATTRIBUTES, 'customData', 'title']));
  });
});
