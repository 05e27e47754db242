/** The verified-token cache: a hit is only ever a token that passed verification, and never outlives it. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyAuthorizationHeader } from '../../functions/http/auth';
import { badTokens, token, uid } from './harness';

afterEach(() => vi.useRealTimers());

describe('verified-token cache', () => {
  it('serves a repeated valid token, and refuses it once it has expired', async () => {
    vi.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    const user = uid();
    const t = await token(user, ['r1'], { ttlSeconds: 60 });
    expect((await verifyAuthorizationHeader(`Bearer ${t}`)).userId).toBe(user);
    expect((await verifyAuthorizationHeader(`Bearer ${t}`)).roles).toEqual(['r1']);
    vi.setSystemTime(Date.now() + 70_000); // past exp and the 5 s clock tolerance
    await expect(verifyAuthorizationHeader(`Bearer ${t}`)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('never caches a refused token: it is refused every time', async () => {
    const { forged } = await badTokens(uid());
    for (let i = 0; i < 3; i++) await expect(verifyAuthorizationHeader(`Bearer ${forged}`)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
