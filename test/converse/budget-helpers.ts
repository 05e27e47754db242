/**
 * What the budget and usage-report tests share: a chat app of their own, users of an entity, a session's counters
 * once titled, the caller's usage, the raw /converse answer (budgetHelpers(api)), an admin token, token counts.
 */
import { expect, vi } from 'vitest';
import { ROLES, token, uid, type Api } from '../api/harness';

export const admin = () => token(uid('sadmin'), [ROLES.siteAdmin, ROLES.contentAdmin]);

export const tokensOf = (u: { inputTokens: number; outputTokens: number }) => u.inputTokens + u.outputTokens;

/** The helpers on one test file's local API (useConverse().api). */
export function budgetHelpers(api: Api) {
  /** A chat app of its own per test (its aggregates start empty), open to entity `account` values. */
  async function chatApp(budgets?: unknown): Promise<string> {
    const chatAppId = uid('budget-app');
    const r = await api.call('PUT', `/admin/chat-apps/${chatAppId}`, {
      token: await admin(),
      body: {
        title: 'Budgets',
        enabled: true,
        agentId: 'echo',
        access: { entity: { attributeName: 'account', values: ['acme', 'globex'] } },
        ...(budgets ? { budgets } : {}),
      },
    });
    expect(r.status).toBe(200);
    return chatAppId;
  }

  async function user(account = 'acme'): Promise<{ userId: string; t: string }> {
    const userId = uid('budget-user');
    const r = await api.call('PUT', `/users/${userId}`, { token: await admin(), body: { customData: { account } } });
    expect(r.status).toBe(200);
    return { userId, t: await token(userId) };
  }

  /** The session's counters once its title (and the title's cost) is stored. */
  async function titledSession(sessionId: string, t: string) {
    return vi.waitFor(
      async () => {
        const s = (await api.call('GET', `/sessions/${sessionId}`, { token: t })).body;
        if (!s.title) throw new Error('no title yet');
        return s as { inputTokens: number; outputTokens: number; totalCost: number };
      },
      { timeout: 10_000, interval: 20 },
    );
  }

  async function myUsage(chatAppId: string, t: string) {
    return (await api.call('GET', `/users/me/usage?chatAppId=${chatAppId}`, { token: t })).body;
  }

  /** POST /converse with the raw answer (status, headers, body) for refusals. */
  async function converseRaw(t: string, body: unknown) {
    const res = await fetch(`${api.url}/converse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  }

  return { chatApp, user, titledSession, myUsage, converseRaw };
}
