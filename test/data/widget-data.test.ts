import { describe, expect, it } from 'vitest';
import { deleteWidgetData, getWidgetData, setWidgetData, WIDGET_DATA_MAX_BYTES } from '../../functions/data/widget-data';
import { uid } from './helpers';
import { httpErrorOf } from '../../functions/http/errors';

describe('widget data', () => {
  it('replaces, merges top-level keys, deletes', async () => {
    const userId = uid('u');
    expect(await getWidgetData(userId, 'custom', 'calc')).toBeUndefined();
    const draft = { draftOrder: { items: ['item1', 'item2'], total: 99.99 }, lastSaved: '2024-01-15T10:00:00Z' };
    expect(await setWidgetData({ userId, scope: 'custom', tag: 'calc', data: draft, partial: false })).toEqual(draft);
    expect(await getWidgetData(userId, 'custom', 'calc')).toEqual(draft);

    const merged = await setWidgetData({ userId, scope: 'custom', tag: 'calc', data: { lastSaved: 'later', theme: 'dark' }, partial: true });
    expect(merged).toEqual({ draftOrder: draft.draftOrder, lastSaved: 'later', theme: 'dark' });
    // Top-level merge: a nested object is replaced as a whole.
    expect(await setWidgetData({ userId, scope: 'custom', tag: 'calc', data: { draftOrder: { items: [] } }, partial: true })).toEqual({
      draftOrder: { items: [] },
      lastSaved: 'later',
      theme: 'dark',
    });

    // Undefined values are ignored, not a 500.
    expect(await setWidgetData({ userId, scope: 'custom', tag: 'calc', data: { theme: 'light', gone: undefined }, partial: true })).toEqual({
      draftOrder: { items: [] },
      lastSaved: 'later',
      theme: 'light',
    });
    expect(await setWidgetData({ userId, scope: 'custom', tag: 'calc', data: { only: 1 } })).toEqual({ only: 1 });
    expect(await getWidgetData(userId, 'custom', 'calc')).toEqual({ only: 1 });
    // Scope and tag separate the data.
    expect(await getWidgetData(userId, 'custom', 'other')).toBeUndefined();
    expect(await getWidgetData(uid('u'), 'custom', 'calc')).toBeUndefined();

    expect(await deleteWidgetData(userId, 'custom', 'calc')).toBe(true);
    expect(await getWidgetData(userId, 'custom', 'calc')).toBeUndefined();
    expect(await deleteWidgetData(userId, 'custom', 'calc')).toBe(false);
  });

  it('50 concurrent partial merges of different keys (starting from no item) keep every key', async () => {
    const userId = uid('u');
    await Promise.all(Array.from({ length: 50 }, (_, i) => setWidgetData({ userId, scope: 's', tag: 't', data: { [`k${i}`]: { n: i } }, partial: true })));
    const data = await getWidgetData(userId, 's', 't');
    expect(Object.keys(data!).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `k${i}`).sort());
    expect(data!.k7).toEqual({ n: 7 });
  });

  it('rejects data over the per-request limit and items over DynamoDB 400 KB with PAYLOAD_TOO_LARGE', async () => {
    const userId = uid('u');
    const chunk = (n: number) => 'x'.repeat(n);
    const tooBig = { blob: chunk(WIDGET_DATA_MAX_BYTES) };
    const err = await setWidgetData({ userId, scope: 's', tag: 't', data: tooBig }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(httpErrorOf(err).status).toBe(413);
    await expect(setWidgetData({ userId, scope: 's', tag: 't', data: tooBig, partial: true })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await getWidgetData(userId, 's', 't')).toBeUndefined();

    const justUnder = { blob: chunk(WIDGET_DATA_MAX_BYTES - 20) };
    expect(JSON.stringify(justUnder).length).toBeLessThanOrEqual(WIDGET_DATA_MAX_BYTES);
    await setWidgetData({ userId, scope: 's', tag: 't', data: justUnder });

    // Each merge is within the request limit, but together they outgrow the 400 KB item.
    let error: unknown;
    for (let i = 0; i < 8 && !error; i++) {
      await setWidgetData({ userId, scope: 's', tag: 't', data: { [`part${i}`]: chunk(60_000) }, partial: true }).catch((e) => (error = e));
    }
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const stored = await getWidgetData(userId, 's', 't');
    expect(Buffer.byteLength(JSON.stringify(stored))).toBeLessThan(400 * 1024);
  });

  it('validates the shape of data', async () => {
    const userId = uid('u');
    await expect(setWidgetData({ userId, scope: 's', tag: 't', data: [] as never })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(setWidgetData({ userId, scope: 's', tag: 't', data: { '': 1 }, partial: true })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
    await expect(setWidgetData({ userId, scope: 's', tag: 't', data: many, partial: true })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await setWidgetData({ userId, scope: 's', tag: 't', data: many })).toEqual(many);
  });
});
