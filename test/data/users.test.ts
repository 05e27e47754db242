import { describe, expect, it } from 'vitest';
import { KEY_ATTRIBUTES } from '../../functions/data/keys';
import { getUser, putUser, searchUsersByPrefix, updateUserName } from '../../functions/data/users';
import { uid } from './helpers';

describe('users', () => {
  it('upserts with replace semantics, keeps createDate and returns no key attributes', async () => {
    const userId = uid('u');
    expect(await getUser(userId)).toBeUndefined();
    const first = await putUser({
      userId,
      firstName: 'Ada',
      lastName: 'Lovelace',
      userType: 'internal-user',
      roles: ['pika:content-admin'],
      customData: { accountId: 'a1' },
    });
    expect(first).toMatchObject({
      userId,
      firstName: 'Ada',
      lastName: 'Lovelace',
      userType: 'internal-user',
      roles: ['pika:content-admin'],
      customData: { accountId: 'a1' },
    });
    for (const k of KEY_ATTRIBUTES) expect(first).not.toHaveProperty(k);
    expect(first.createDate).toBe(first.lastUpdate);

    const second = await putUser({ userId, firstName: 'Ada', userType: 'external-user', createDate: '1999-01-01T00:00:00.000Z' });
    expect(second.createDate).toBe(first.createDate);
    expect(second.lastUpdate! >= first.lastUpdate!).toBe(true);
    expect(second).not.toHaveProperty('lastName');
    expect(second).not.toHaveProperty('customData');
    expect(second).not.toHaveProperty('roles');
    expect(await getUser(userId)).toEqual(second);
  });

  it('updateUserName creates a missing user and otherwise changes only the names', async () => {
    const fresh = uid('u');
    const created = await updateUserName(fresh, { firstName: 'Grace' });
    expect(created).toMatchObject({ userId: fresh, firstName: 'Grace' });
    expect(created.createDate).toBeDefined();

    const userId = uid('u');
    await putUser({ userId, firstName: 'A', lastName: 'B', customData: { tier: 'gold' }, roles: ['r'] });
    const renamed = await updateUserName(userId, { lastName: 'C' });
    expect(renamed).toMatchObject({ userId, firstName: 'A', lastName: 'C', customData: { tier: 'gold' }, roles: ['r'] });
  });

  it('searches by case-insensitive id prefix, at most 20, and rejects short prefixes', async () => {
    const stem = `q${uid('').slice(-8)}`; // unique 9-char stem
    const ids = Array.from({ length: 23 }, (_, i) => `${i % 2 ? stem.toUpperCase() : stem}-${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((userId) => putUser({ userId })));
    const all = await searchUsersByPrefix(stem.toUpperCase());
    expect(all).toHaveLength(20);
    expect(all.every((u) => u.userId.toLowerCase().startsWith(stem))).toBe(true);
    const narrow = await searchUsersByPrefix(`${stem}-1`);
    expect(narrow.map((u) => u.userId).sort()).toEqual(ids.filter((id) => id.toLowerCase().startsWith(`${stem}-1`)).sort());
    expect((await searchUsersByPrefix(stem, 5)).length).toBe(5);
    expect(await searchUsersByPrefix(`${stem}-zz`)).toEqual([]);
    await expect(searchUsersByPrefix('ab')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
