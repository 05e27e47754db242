import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
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
    const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName, g.KeySchema?.map((k) => k.AttributeName)]);
    expect(indexes.sort()).toEqual(GSIS.map((g) => [g.indexName, [g.partitionKey, g.sortKey]]).sort());
  });
});
