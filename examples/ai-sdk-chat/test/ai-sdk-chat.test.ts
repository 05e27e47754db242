/**
 * The example page in Debian's Chromium (playwright-core, nothing downloaded) against the backend's local stack
 * (DynamoDB Local, the agent emulator) on another origin: send and stream, reopen with the history after a
 * reload, stop an answer, approve and deny what the agent asks to do.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../scripts/local/stack';
import { ROLES, token, uid } from '../../../test/api/harness';
import { bundle } from '../src/build.js';
import type { ChatConfig } from '../src/config.js';
import { serve } from '../src/serve.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const config: ChatConfig = { apiUrl: '', chatAppId: '', token: '' };
let page: { url: string; server: Server };
let stack: LocalStack;
let browser: Browser;

async function api(method: string, path: string, bearer: string, body?: unknown) {
  const res = await fetch(`${config.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  const dynamoDbEndpoint = process.env.DYNAMODB_ENDPOINT;
  if (!dynamoDbEndpoint) throw new Error('No DynamoDB Local in this run: run this test in the slow tier (npx vitest run --project slow)');
  page = await serve(config, 0, await bundle(mkdtempSync(join(tmpdir(), 'ai-sdk-chat-'))));
  stack = await startLocalStack({
    dynamoDbEndpoint,
    tableName: process.env.TABLE_NAME!,
    emulator: { chunkDelayMs: 25 },
    api: {},
    env: { CORS_ORIGINS: page.url },
  });
  config.apiUrl = stack.api!.url;
  const admin = await token(uid('site-admin'), [ROLES.siteAdmin]);
  for (const agentId of ['slow', 'hang']) {
    const agent = await api('PUT', `/admin/agents/example-${agentId}`, admin, {
      agent: { kind: 'bedrock-agent', bedrockAgentId: agentId, bedrockAgentAliasId: 'TSTALIASID' },
      pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
    });
    const app = await api('PUT', `/admin/chat-apps/example-${agentId}`, admin, { title: agentId, enabled: true, agentId: `example-${agentId}` });
    expect([agent.status, app.status]).toEqual([200, 200]);
  }
  // An agent that asks for a confirmation (Agents Classic requireConfirmation) before it cancels an order.
  const asking = await api('PUT', '/admin/agents/example-ask-approval', admin, {
    agent: { kind: 'bedrock-agent', bedrockAgentId: 'ask-approval', bedrockAgentAliasId: 'TSTALIASID' },
    pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
  });
  const askingApp = await api('PUT', '/admin/chat-apps/example-ask-approval', admin, {
    title: 'approvals',
    enabled: true,
    agentId: 'example-ask-approval',
    clientTools: [{ name: 'cancel_order', approval: true }],
  });
  expect([asking.status, askingApp.status]).toEqual([200, 200]);
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await new Promise<void>((resolve) => (page ? page.server.close(() => resolve()) : resolve()));
});

async function open(chatAppId: string, userToken: string, query = ''): Promise<Page> {
  Object.assign(config, { chatAppId, token: userToken });
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  const p = await context.newPage();
  await p.goto(`${page.url}/${query}`);
  await p.getByRole('textbox', { name: 'Message' }).waitFor();
  return p;
}

const texts = (p: Page) => p.locator('li').allInnerTexts();

describe('the AI SDK example page', () => {
  it('type-checks as a team copies it (strict, DOM, react-jsx)', () => {
    const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(resolve(import.meta.dirname, '..'), 'tsconfig.json')], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('sends and streams the answer, then reopens the chat with its history after a reload and continues it', async () => {
    const userToken = await token(uid('example'));
    const p = await open('example-slow', userToken);
    // Every text the answer shows as it streams.
    await p.evaluate(() => {
      const seen = new Set<string>();
      (window as unknown as { seen: Set<string> }).seen = seen;
      new MutationObserver(() => {
        const answer = document.querySelector('li[data-role="assistant"]');
        if (answer?.textContent) seen.add(answer.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await p.getByRole('textbox', { name: 'Message' }).fill('Hello example');
    await p.getByRole('button', { name: 'Send' }).click();
    await p.locator('li[data-role="assistant"]', { hasText: 'You said: Hello example' }).waitFor();
    expect(await p.evaluate(() => (window as unknown as { seen: Set<string> }).seen.size)).toBeGreaterThanOrEqual(3);
    await p.waitForURL(/\?session=/);
    const sessionId = new URL(p.url()).searchParams.get('session')!;

    await p.reload();
    await p.locator('li').nth(1).waitFor();
    expect(await texts(p)).toEqual(['You: Hello example', 'Agent: You said: Hello example']);
    await p.getByRole('textbox', { name: 'Message' }).fill('And again');
    await p.getByRole('button', { name: 'Send' }).click();
    await p.locator('li[data-role="assistant"]', { hasText: 'You said: And again' }).waitFor();
    // The answer is complete (finish, sent once it is stored): the page is ready again.
    await p.getByLabel('Status').getByText('ready').waitFor();
    const stored = (await api('GET', `/sessions/${sessionId}/messages`, userToken)).body.items as { content: string }[];
    expect(stored.map((m) => m.content)).toEqual(['Hello example', 'You said: Hello example', 'And again', 'You said: And again']);
  });

  it('stops an answer: the page is ready again and the answer is stored as cancelled', async () => {
    const userToken = await token(uid('example'));
    const p = await open('example-hang', userToken);
    await p.getByRole('textbox', { name: 'Message' }).fill('take your time');
    await p.getByRole('button', { name: 'Send' }).click();
    await p.locator('li[data-role="assistant"]', { hasText: 'Thinking' }).waitFor();
    await p.getByRole('button', { name: 'Stop' }).click();
    await p.getByLabel('Status').getByText('ready').waitFor();
    const sessions = (await api('GET', '/sessions?chatAppId=example-hang', userToken)).body.items as { sessionId: string }[];
    expect(sessions).toHaveLength(1);
    const answer = await vi.waitFor(
      async () => {
        const items = (await api('GET', `/sessions/${sessions[0]!.sessionId}/messages`, userToken)).body.items as { status?: string }[];
        if (items.length < 2) throw new Error('answer not stored yet');
        return items[1]!;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(answer).toMatchObject({ status: 'cancelled', content: 'Thinking' });
  });

  for (const [button, answer] of [
    ['Approve', 'Confirmed: cancel_order ran.'],
    ['Deny', 'Denied: cancel_order did not run.'],
  ] as const)
    it(`an approval: the agent asks, ${button} answers it and the agent carries on in the same answer`, async () => {
      const userToken = await token(uid('example'));
      const p = await open('example-ask-approval', userToken);
      await p.getByRole('textbox', { name: 'Message' }).fill('Cancel order 42');
      await p.getByRole('button', { name: 'Send' }).click();
      const approval = p.getByRole('group', { name: 'Approval' });
      await approval.getByText('Allow cancel_order {"orderId":"42"}?').waitFor();
      await p.getByLabel('Status').getByText('ready').waitFor();
      await approval.getByRole('button', { name: button }).click();
      await p.locator('li[data-role="assistant"]', { hasText: answer }).waitFor();
      await p.getByLabel('Status').getByText('ready').waitFor();
      expect(await approval.count()).toBe(0);
      const sessions = (await api('GET', '/sessions?chatAppId=example-ask-approval', userToken)).body.items as { sessionId: string }[];
      const stored = (await api('GET', `/sessions/${sessions[0]!.sessionId}/messages`, userToken)).body.items as any[];
      expect(stored.map((m) => [m.role, m.content, m.status])).toEqual([
        ['user', 'Cancel order 42', undefined],
        ['assistant', '', 'awaiting-client'],
        ['user', '', undefined],
        ['assistant', answer, 'complete'],
      ]);
      expect(stored[2].metadata.toolResults[0]).toMatchObject({ name: 'cancel_order', approved: button === 'Approve' });
    });
});
