/**
 * Browser tests: the playground's pages on one origin, the real local API (DynamoDB Local + the agent
 * emulator) on another — so every call is a real CORS request —, and one headless Chromium per test file
 * (playwright-core driving /usr/bin/chromium; nothing is downloaded).
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createPlaygroundHandler, type PlaygroundConfig } from '../../scripts/local/playground';
import type { LocalApi } from '../../scripts/local/server';
import { startLocalStack, type LocalStack } from '../../scripts/local/stack';
import { ROLES, token, uid } from '../api/harness';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), '.test-results/screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * Chat apps the tests register through the admin API: `slow` streams its chunks far apart, `hang` never ends,
 * `echo-files` answers with the names of the files it received (default file rules: text, no executables).
 */
export const TEST_CHAT_APPS = [
  { chatAppId: 'browser-slow', title: 'Slow echo', agentId: 'slow' },
  { chatAppId: 'browser-hang', title: 'Hanging agent', agentId: 'hang' },
  { chatAppId: 'browser-files', title: 'Files echo', agentId: 'echo-files' },
];

export interface BrowserEnv {
  /** The playground's origin (pages only). */
  pagesUrl: string;
  /** The API's origin (another port: cross-origin for the pages). */
  apiUrl: string;
  browser: Browser;
  /** A fresh context (its own storage) at a viewport; closed after the file. */
  context(viewport?: { width: number; height: number }, options?: { bypassCSP?: boolean }): Promise<BrowserContext>;
  /** A real API call from the test (setup and checks), with a bearer token. */
  call<T = any>(method: string, path: string, bearer: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** The dev token prefilled in the sign-in form. */
  userId: string;
  userToken: string;
}

export function useBrowserEnv(): BrowserEnv {
  let pages: Server | undefined;
  let stack: LocalStack | undefined;
  let api: LocalApi | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const config: PlaygroundConfig = {};
  const env = { userId: uid('browser'), userToken: '' } as BrowserEnv & { pagesUrl: string; apiUrl: string };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const serve = createPlaygroundHandler(config);
    pages = createServer((req, res) => {
      serve(req, res).then(
        (handled) => handled || (res.writeHead(404, { 'content-type': 'text/plain' }), res.end('Not found')),
        () => (res.writeHead(500), res.end()),
      );
    });
    await new Promise<void>((resolve) => pages!.listen(0, '127.0.0.1', resolve));
    env.pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;

    const dynamoDbEndpoint = process.env.DYNAMODB_ENDPOINT;
    if (!dynamoDbEndpoint) throw new Error('No DynamoDB Local in this run: test/browser belongs in a tier with the global setup');
    stack = await startLocalStack({
      dynamoDbEndpoint,
      tableName: process.env.TABLE_NAME!,
      emulator: { chunkDelayMs: 25 },
      api: {},
      // Only the pages' origin may read the API's answers, and upload files to the local S3.
      env: { CORS_ORIGINS: env.pagesUrl },
      s3: { corsOrigins: [env.pagesUrl] },
    });
    api = stack.api!;
    env.apiUrl = api.url;

    const admin = await token(uid('site-admin'), [ROLES.siteAdmin]);
    for (const app of TEST_CHAT_APPS) {
      const agent = await env.call('PUT', `/admin/agents/${app.agentId}`, admin, {
        description: `Agent emulator: ${app.agentId}`,
        agent: { kind: 'bedrock-agent', bedrockAgentId: app.agentId, bedrockAgentAliasId: 'TSTALIASID' },
        pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
      });
      const chatApp = await env.call('PUT', `/admin/chat-apps/${app.chatAppId}`, admin, { title: app.title, enabled: true, agentId: app.agentId });
      if (agent.status !== 200 || chatApp.status !== 200)
        throw new Error(`registering ${app.chatAppId}: ${agent.status} ${chatApp.status} ${JSON.stringify(chatApp.body)}`);
    }

    env.userToken = await token(env.userId, [], { userType: 'external-user' });
    Object.assign(config, {
      apiUrl: api.url,
      token: env.userToken,
      chatApps: [
        ...TEST_CHAT_APPS,
        { chatAppId: 'demo', title: 'Demo (echo agent)' },
        { chatAppId: 'demo-faulty', title: 'Demo (faulty agent)' },
        { chatAppId: 'demo-memory', title: 'Demo (user memory)' },
      ],
    } satisfies PlaygroundConfig);

    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // playwright-core gives each launch a fresh temporary --user-data-dir of its own.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    env.browser = browser;
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await stack?.stop();
    await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
  });

  env.context = async (viewport = DESKTOP, options = {}) => {
    const context = await browser!.newContext({ viewport, deviceScaleFactor: 1, ...options });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    return context;
  };
  env.call = async (method, path, bearer, body) => {
    const res = await fetch(`${api!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return env;
}

/** Opens the playground (query: e.g. `chatApp=browser-slow`) and signs in with the prefilled or a given token. */
export async function signIn(page: Page, env: BrowserEnv, opts: { query?: string; token?: string } = {}) {
  await page.goto(`${env.pagesUrl}/${opts.query ? `?${opts.query}` : ''}`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  if (opts.token) await page.getByLabel(/^Token/).fill(opts.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/**
 * axe-core's WCAG 2.x A/AA rules run in the page (its CSP allows no injected script, so the context must be
 * opened with bypassCSP). The violations: rule id, impact and the first offending elements.
 */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string | null; nodes: string[] }[]> {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const result = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`)) as {
    violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
  };
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
}

/** The origins of every request the page makes (to prove nothing comes from a CDN, or which servers it reached). */
export function trackOrigins(page: Page): Set<string> {
  const origins = new Set<string>();
  page.on('request', (r) => void origins.add(new URL(r.url()).origin));
  return origins;
}
