import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { entity } from '../../functions/data/items';
import { mergedQueryPage, normalizeLimit, queryPage, queryString, type QuerySource } from '../../functions/data/pagination';
import { drain, uid } from './helpers';

/** Raw test items in their own partitions: sk = zero-padded position + source tag. */
async function seed(pk: string, tag: string, matching: (n: number) => boolean, count = 100, first = 0) {
  const items = Array.from({ length: count }, (_, i) => i + first).map((n) => ({
    pk,
    sk: `${String(n).padStart(3, '0')}#${tag}`,
    id: `${String(n).padStart(3, '0')}#${tag}`,
    n,
    match: matching(n),
  }));
  for (let i = 0; i < items.length; i += 25) {
    await ddb().send(new BatchWriteCommand({ RequestItems: { [tableName()]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}
const source = (pk: string, filtered: boolean, asc = true): QuerySource => ({
  KeyConditionExpression: 'pk = :pk',
  ExpressionAttributeValues: { ':pk': pk, ...(filtered ? { ':t': true } : {}) },
  ...(filtered ? { FilterExpression: '#m = :t', ExpressionAttributeNames: { '#m': 'match' } } : {}),
  ScanIndexForward: asc,
});
type Row = { id: string; n: number };
const read = entity<Row>().record;

describe('pagination helpers', () => {
  it('bounds the page size in one place and builds order-independent query strings', () => {
    expect([normalizeLimit(undefined), normalizeLimit(0), normalizeLimit(-5), normalizeLimit(7.9), normalizeLimit(1000), normalizeLimit(Number.NaN)]).toEqual([
      20, 1, 1, 7, 100, 20,
    ]);
    expect(queryString('q', { b: 1, a: 'x', c: undefined })).toBe(queryString('q', { a: 'x', b: 1 }));
    expect(queryString('q', { a: 'x' })).not.toBe(queryString('q', { a: 'y' }));
    expect(queryString('q', { a: 'x' })).not.toBe(queryString('r', { a: 'x' }));
  });

  it('queryPage keeps reading through a FilterExpression and ends without a cursor on the last page', async () => {
    const pk = uid('PGTEST');
    await seed(pk, 'A', (n) => n % 9 === 0);
    const expected = Array.from({ length: 100 }, (_, n) => n).filter((n) => n % 9 === 0);
    const res = await drain((cursor) => queryPage(source(pk, true), { read, limit: 4, caller: 'c', query: 'q', ...(cursor ? { cursor } : {}) }));
    expect(res.items.map((r) => r.n)).toEqual(expected);
    expect(res.items[0]).not.toHaveProperty('pk');
    expect(res.items[0]).not.toHaveProperty('sk');
    const exact = await drain((cursor) => queryPage(source(pk, false), { read, limit: 25, caller: 'c', query: 'q', ...(cursor ? { cursor } : {}) }));
    expect(exact.pages.map((p) => p.length)).toEqual([25, 25, 25, 25]); // look-ahead: no empty trailing page
  });

  it('mergedQueryPage never emits past a sparse source that has not been read far enough', async () => {
    const a = uid('PGTEST');
    const b = uid('PGTEST');
    // Source A matches only at 70 and 95; B holds only 75..99, all matching. A's first bounded reads see
    // only non-matching items, so B's items must wait until A has been read past them.
    await seed(a, 'A', (n) => n === 70 || n === 95);
    await seed(b, 'B', () => true, 25, 75);
    const merged = (order: 'asc' | 'desc', limit: number) =>
      drain((cursor) =>
        mergedQueryPage([source(a, true, order === 'asc'), source(b, true, order === 'asc')], {
          read,
          limit,
          caller: 'c',
          query: `merge-${order}`,
          order,
          sortValue: (k) => String(k.sk),
          ...(cursor ? { cursor } : {}),
        }),
      );
    const expectedAsc = ['070#A', ...Array.from({ length: 25 }, (_, i) => `0${75 + i}#B`), '095#A'].sort();
    for (const limit of [1, 2, 3, 10]) {
      expect((await merged('asc', limit)).items.map((r) => r.id)).toEqual(expectedAsc);
      expect((await merged('desc', limit)).items.map((r) => r.id)).toEqual([...expectedAsc].reverse());
    }
  });

  it('rejects a cursor whose position was replaced, even with a valid-looking structure', async () => {
    const pk = uid('PGTEST');
    await seed(pk, 'A', () => true, 10);
    const page = await queryPage(source(pk, false), { read, limit: 3, caller: 'c', query: 'q' });
    const [payload, mac] = page.nextCursor!.split('.');
    const body = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...body, p: { pk: 'USER#victim', sk: 'PROFILE' } })).toString('base64url')}.${mac}`;
    await expect(queryPage(source(pk, false), { read, limit: 3, caller: 'c', query: 'q', cursor: forged })).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    await expect(queryPage(source(pk, false), { read, limit: 3, caller: 'c', query: 'q2', cursor: page.nextCursor! })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    await expect(
      mergedQueryPage([source(pk, false)], { read, limit: 3, caller: 'c', query: 'q', order: 'asc', cursor: page.nextCursor! }),
    ).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });
});
