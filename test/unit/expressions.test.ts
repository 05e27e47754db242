/** functions/data/expressions.ts: update expressions built only from placeholders. */
import { describe, expect, it } from 'vitest';
import { updateExpression } from '../../functions/data/expressions';

describe('updateExpression', () => {
  it('turns SET, if_not_exists, ADD and REMOVE into placeholders, skipping undefined values', () => {
    const out = updateExpression({
      set: { title: 't', gone: undefined, gsi1pk: 'P' },
      setIfNotExists: { createDate: 'd' },
      add: { totalCost: 0.5 },
      remove: ['oldField'],
    });
    expect(out).toEqual({
      UpdateExpression: 'SET #u0 = :u0, #u1 = :u1, #u2 = if_not_exists(#u2, :u2) ADD #u3 :u3 REMOVE #u4',
      ExpressionAttributeNames: { '#u0': 'title', '#u1': 'gsi1pk', '#u2': 'createDate', '#u3': 'totalCost', '#u4': 'oldField' },
      ExpressionAttributeValues: { ':u0': 't', ':u1': 'P', ':u2': 'd', ':u3': 0.5 },
    });
  });

  it('keeps a condition\u2019s own names and values beside its placeholders', () => {
    const out = updateExpression({ set: { status: 'closed' } }, { names: { '#lastUpdate': 'lastUpdate' }, values: { ':expected': 'x' } });
    expect(out.ExpressionAttributeNames).toEqual({ '#lastUpdate': 'lastUpdate', '#u0': 'status' });
    expect(out.ExpressionAttributeValues).toEqual({ ':expected': 'x', ':u0': 'closed' });
  });

  it('a field name never reaches the expression text', () => {
    const out = updateExpression({ set: { 'a = :x, b': 1 }, remove: ['c REMOVE d'] });
    expect(out.UpdateExpression).toBe('SET #u0 = :u0 REMOVE #u1');
  });

  it('sets keys inside a map (one placeholder for the map), only-if-absent ones too, skipping undefined values', () => {
    const out = updateExpression({
      set: { lastUpdate: 'now' },
      setIn: { data: { a: 1, gone: undefined, 'b.c': { d: 2 } } },
      setInIfNotExists: { fbs: { f1: 'x' } },
    });
    expect(out).toEqual({
      UpdateExpression: 'SET #u0 = :u0, #u1.#u2 = :u2, #u1.#u3 = :u3, #u4.#u5 = if_not_exists(#u4.#u5, :u5)',
      ExpressionAttributeNames: { '#u0': 'lastUpdate', '#u1': 'data', '#u2': 'a', '#u3': 'b.c', '#u4': 'fbs', '#u5': 'f1' },
      ExpressionAttributeValues: { ':u0': 'now', ':u2': 1, ':u3': { d: 2 }, ':u5': 'x' },
    });
  });

  it('a map with nothing to set adds no name (DynamoDB refuses unused names)', () => {
    const out = updateExpression({ set: { a: 1 }, setIn: { data: { gone: undefined } } });
    expect(out).toEqual({ UpdateExpression: 'SET #u0 = :u0', ExpressionAttributeNames: { '#u0': 'a' }, ExpressionAttributeValues: { ':u0': 1 } });
  });

  it('adds to keys inside a map, from 0 where a key is absent', () => {
    const out = updateExpression({ set: { 'm.v': undefined }, addIn: { counts: { a: 1, b: -1 } } });
    expect(out).toEqual({
      UpdateExpression: 'SET #u0.#u2 = if_not_exists(#u0.#u2, :u1) + :u2, #u0.#u3 = if_not_exists(#u0.#u3, :u1) + :u3',
      ExpressionAttributeNames: { '#u0': 'counts', '#u2': 'a', '#u3': 'b' },
      ExpressionAttributeValues: { ':u1': 0, ':u2': 1, ':u3': -1 },
    });
  });

  it('appends to a list that may not exist yet', () => {
    const out = updateExpression({ append: { internalComments: [{ text: 'c' }] } });
    expect(out).toEqual({
      UpdateExpression: 'SET #u0 = list_append(if_not_exists(#u0, :u1), :u0)',
      ExpressionAttributeNames: { '#u0': 'internalComments' },
      ExpressionAttributeValues: { ':u0': [{ text: 'c' }], ':u1': [] },
    });
  });

  it('refuses an update with nothing to do', () => {
    expect(() => updateExpression({ set: { a: undefined } })).toThrow(/at least one action/);
  });
});
