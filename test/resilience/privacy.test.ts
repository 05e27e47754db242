/**
 * Logs carry no tokens, secrets or message text; session attributes sent to Bedrock leave out the chat
 * app's private attributes. Everything the process writes during an end-to-end run is captured and searched.
 */
import { describe, expect, it } from 'vitest';
import { JWT_SECRET, ROLES, badTokens, token, uid } from '../api/harness';
import { converse, lastAgentRequest, useConverse } from '../converse/harness';
import { captureLogs } from '../support/output';

const { api, emulator } = useConverse();

describe('secrets and privacy', () => {
  it('an end-to-end run logs requests but no token, secret or message text', async () => {
    const secretText = `my password is hunter2-${uid()}`;
    const user = uid('private');
    let t = '';
    let admin = '';
    let page: { body: { nextCursor?: string } } = { body: {} };
    // Every line the process writes (stdout and stderr) while the run goes on.
    const lines = await captureLogs(async () => {
      t = await token(user);
      admin = await token(uid(), [ROLES.contentAdmin]);
      const turn = await converse(api.url, t, { chatAppId: 'demo', message: secretText });
      const sessionId = turn.events[0]!.data.sessionId;
      await api.call('GET', `/sessions/${sessionId}/messages`, { token: t });
      await api.call('GET', `/sessions/${sessionId}/messages`, { token: admin });
      await converse(api.url, t, { chatAppId: 'demo-faulty', message: secretText });
      await api.call('GET', '/users/me', { token: (await badTokens(user)).forged });
      await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo', title: secretText } });
      page = await api.call('GET', '/sessions?limit=1', { token: t });
    });
    const captured = lines.join('\n');

    expect(captured).toContain('"routeId":"listMessages"'); // the capture works: requests are logged
    expect(captured).toContain('viewingContentFor'); // the admin read is logged
    for (const needle of [t, admin, 'eyJ', 'Bearer', JWT_SECRET, process.env.CURSOR_SECRET!, secretText, 'hunter2', page.body.nextCursor]) {
      if (needle) expect(captured, `logs contain ${String(needle).slice(0, 20)}…`).not.toContain(needle);
    }
  });

  it('session attributes sent to Bedrock exclude the chat app\u2019s private attributes', async () => {
    const user = uid();
    await api.call('PUT', `/users/${user}`, {
      token: await token(uid(), [ROLES.service]),
      body: { customData: { accountId: 'a-1', ssn: '123-45-6789', apiKey: 'k-secret' } },
    });
    const site = await token(uid(), [ROLES.siteAdmin]);
    const chatAppId = uid('app');
    await api.call('PUT', `/admin/chat-apps/${chatAppId}`, {
      token: site,
      body: { title: 'P', enabled: true, agentId: 'echo', privateAttributes: ['ssn', 'apiKey'] },
    });
    await converse(api.url, await token(user), { chatAppId, message: 'hi' });
    // The whole request the agent got (body and headers), whatever the agent's kind (echo is an AgentCore harness).
    const sent = JSON.stringify(lastAgentRequest(emulator()));
    expect(sent).toContain('a-1');
    expect(sent).not.toContain('123-45-6789');
    expect(sent).not.toContain('k-secret');
  });
});
