/** Chat apps with agents that ask the client (human in the loop), for the tests of each protocol. */
import { expect } from 'vitest';
import { ROLES, token, uid, type Api } from '../api/harness';
import { AGENT_KINDS, TEST_PRICING } from './harness';

/** The emulator's asking functions as the chat app's client tools (cancel_order asks for an approval either way). */
export const CLIENT_TOOLS = [
  { name: 'lookup_order', description: 'Looks an order up in the browser' },
  { name: 'cancel_order', approval: true },
];

/** A chat app whose agent is the emulator's `name` agent of `kind`, with `clientTools` (default CLIENT_TOOLS). */
export async function askingApp(api: Api, kind: string, name: string, clientTools: unknown = CLIENT_TOOLS) {
  const admin = await token(uid('site'), [ROLES.siteAdmin]);
  const agentId = uid(`${kind}-${name}`);
  const chatAppId = uid('app');
  const agent = await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent: AGENT_KINDS[kind]!(name), pricing: TEST_PRICING } });
  expect(agent.status).toBe(200);
  const app = await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body: { title: kind, enabled: true, agentId, clientTools } });
  expect(app.status).toBe(200);
  return { chatAppId, agentId };
}

export const storedMessages = async (api: Api, t: string, sessionId: string) =>
  (await api.call('GET', `/sessions/${sessionId}/messages?limit=100`, { token: t })).body.items as any[];
