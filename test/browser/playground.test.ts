/**
 * The playground in a real browser against the real local API (DynamoDB Local + the agent emulator), from
 * another origin: streaming, history after a reload, stop, session management, a 401's sign-in prompt, a
 * failing agent, and /docs (files, memory and the accessibility audit: playground-features.test.ts).
 * Screenshots of the main states go to .test-results/screenshots/ (git-ignored).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes';
import { createPlaygroundHandler } from '../../scripts/local/playground';
import { startLocalApi } from '../../scripts/local/server';
import { badTokens, token, uid } from '../api/harness';
import { DESKTOP, PHONE, shot, signIn, trackOrigins, useBrowserEnv } from './harness';

/**
 * What the page functions read of an element. The backend compiles without the DOM library, and @types/react
 * (the AI SDK tests' @ai-sdk/react) declares empty global HTMLElement/Element stubs: read them through this.
 */
interface DomElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  textContent: string | null;
}

const env = useBrowserEnv();

// Code run in the page: strings or globalThis, as the test tree is type-checked without the DOM library.

/** Records the streaming answer's text at every DOM change while the answer is still marked busy. */
const recordStreaming = (page: Page) =>
  page.evaluate(`{
    const seen = (window.__streamed = []);
    new MutationObserver(() => {
      const busy = document.querySelector('.message.assistant[aria-busy="true"] .text');
      if (busy && busy.textContent && seen.at(-1) !== busy.textContent) seen.push(busy.textContent);
    }).observe(document.getElementById('messages'), { subtree: true, childList: true, characterData: true });
  }`);
const streamed = (page: Page) => page.evaluate('window.__streamed') as Promise<string[]>;
/** Part of the answer is in the page while the answer is still streaming (a function: the page's CSP forbids eval). */
const PARTIAL_WHILE_BUSY = () => ((globalThis as any).document.querySelector('.message.assistant[aria-busy="true"] .text')?.textContent ?? '').length > 0;

describe('playground', () => {
  it('is served from another origin than the API, and CORS decides which origins may read the API', async () => {
    expect(new URL(env.pagesUrl).origin).not.toBe(new URL(env.apiUrl).origin);
    // The same pages from an origin CORS_ORIGINS does not list (localhost, not 127.0.0.1): the browser refuses
    // to hand the answer to the page.
    const page = await (await env.context(DESKTOP)).newPage();
    await page.goto(env.pagesUrl.replace('127.0.0.1', 'localhost'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#signin-error', { hasText: /^Cannot reach the API at / }).waitFor();
    expect(await page.locator('#app').isHidden()).toBe(true);
  });

  it('streams an answer chunk by chunk, then shows history and tokens after a reload', async () => {
    const page = await (await env.context(DESKTOP)).newPage();
    const origins = trackOrigins(page);
    await page.goto(`${env.pagesUrl}/?chatApp=browser-slow`);
    // The sign-in form comes prefilled with the API URL and the dev token.
    await expect.poll(() => page.getByLabel(/^Token/).inputValue()).toBe(env.userToken);
    expect(await page.getByLabel('API URL').inputValue()).toBe(env.apiUrl);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${env.userId}`).waitFor();
    expect(await page.getByLabel('Chat app').inputValue()).toBe('browser-slow');

    await recordStreaming(page);
    const message = 'Hello from the browser';
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill(message);
    await box.press('Enter');

    // Mid-stream: part of the answer is in the page while the stream is still open.
    const busy = page.locator('.message.assistant[aria-busy="true"] .text');
    await page.waitForFunction(PARTIAL_WHILE_BUSY);
    await shot(page, 'desktop-streaming');
    expect(await page.getByRole('button', { name: 'Stop' }).isEnabled()).toBe(true);
    expect(`You said: ${message}`.startsWith((await busy.textContent()) ?? '∅')).toBe(true);

    // Done: the whole answer, its tokens and cost.
    const answer = page.locator('.message.assistant').last();
    await answer.locator('.usage').waitFor();
    expect(await answer.getAttribute('aria-busy')).toBeNull();
    expect(await answer.locator('.text').textContent()).toBe(`You said: ${message}`);
    const usage = (await answer.locator('.usage').textContent())!;
    const [, input, output] = /^(\d+) input \+ (\d+) output tokens · cost \$\d+\.\d{6}$/.exec(usage) ?? [];
    expect(Number(input)).toBeGreaterThan(0);
    expect(Number(output)).toBeGreaterThan(0);
    // The answer grew in the page in several steps before the stream ended.
    const steps = await streamed(page);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!.startsWith(steps[i - 1]!)).toBe(true);
    expect(steps[0]!.length).toBeLessThan(`You said: ${message}`.length);
    await page.getByRole('status').getByText('Answer complete.').waitFor();
    await page.locator('#session-list button[aria-current="true"]').waitFor();

    // After a reload: still signed in, the session (from the URL) with its history and the turn's tokens.
    const sessionId = decodeURIComponent(new URL(page.url()).hash.replace('#/sessions/', ''));
    const stored = await env.call('GET', `/sessions/${sessionId}`, env.userToken);
    expect(stored.status).toBe(200);
    await page.reload();
    await page.locator('.message.assistant .usage').waitFor();
    const texts = await page.locator('.message .text').allTextContents();
    expect(texts).toEqual([message, `You said: ${message}`]);
    expect(await page.locator('.message.assistant .usage').textContent()).toBe(usage);
    expect(await page.locator('#session-usage').textContent()).toContain(`${stored.body.inputTokens} input + ${stored.body.outputTokens} output tokens`);
    await shot(page, 'desktop-history');

    expect([...origins].sort()).toEqual([env.apiUrl, env.pagesUrl].sort());
  });

  it('stops a running answer', async () => {
    const page = await (await env.context(DESKTOP)).newPage();
    await signIn(page, env, { query: 'chatApp=browser-hang' });
    await page.getByText(`Signed in as ${env.userId}`).waitFor();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Never finishes');
    await page.getByRole('button', { name: 'Send' }).click();
    // The hanging agent's one chunk arrives; the stream stays open until stopped.
    await page.waitForFunction(PARTIAL_WHILE_BUSY);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('status').getByText('Stopped.').waitFor();
    const answer = page.locator('.message.assistant').last();
    expect(await answer.getAttribute('aria-busy')).toBeNull();
    // Through the cancel route (the client's route list has it): the server ended the turn and kept the partial answer.
    await answer.getByText('Stopped: the partial answer is kept.').waitFor();
    const sessionId = decodeURIComponent(new URL(page.url()).hash.replace('#/sessions/', ''));
    const messages = await env.call('GET', `/sessions/${sessionId}/messages`, env.userToken);
    expect(messages.body.items.map((m: { role: string; status?: string }) => [m.role, m.status ?? 'complete'])).toEqual([
      ['user', 'complete'],
      ['assistant', 'cancelled'],
    ]);
    expect(await page.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Stop' }).isDisabled()).toBe(true);
  });

  it('pages through sessions, renames one, leaves feedback and deletes it', async () => {
    const userId = uid('pager');
    const bearer = await token(userId);
    const created: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await env.call('POST', '/sessions', bearer, { chatAppId: 'demo' });
      expect(r.status).toBe(201);
      created.push(r.body.sessionId);
    }
    const page = await (await env.context(PHONE)).newPage();
    page.on('dialog', (d) => void d.accept());
    await signIn(page, env, { query: 'chatApp=demo', token: bearer });
    const sessions = page.locator('#session-list button');
    await expect.poll(() => sessions.count()).toBe(10);
    await page.getByRole('button', { name: 'More sessions' }).click();
    await expect.poll(() => sessions.count()).toBe(12);
    expect(await page.getByRole('button', { name: 'More sessions' }).isHidden()).toBe(true);
    expect(new Set(await sessions.evaluateAll((bs) => bs.map((b) => (b as unknown as DomElement).getAttribute('data-session-id'))))).toEqual(new Set(created));
    await shot(page, 'phone-sessions');

    // Open one (keyboard), rename it.
    const target = created[0]!;
    await page.locator(`#session-list button[data-session-id="${target}"]`).focus();
    await page.keyboard.press('Enter');
    await page.locator(`#session-list button[data-session-id="${target}"][aria-current="true"]`).waitFor();
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('New title').fill('Renamed in the browser');
    await page.getByRole('button', { name: 'Save title' }).click();
    await page.getByRole('heading', { name: 'Renamed in the browser' }).waitFor();
    await page.locator(`#session-list button[data-session-id="${target}"]`, { hasText: 'Renamed in the browser' }).waitFor();
    expect((await env.call('GET', `/sessions/${target}`, bearer)).body.title).toBe('Renamed in the browser');

    // Feedback.
    await page.getByRole('button', { name: 'Feedback' }).click();
    await page.getByLabel('Type').selectOption('incorrect_response');
    await page.getByLabel('Severity').selectOption('low');
    await page.getByLabel('Title', { exact: true }).fill('Wrong answer');
    await page.getByLabel('Description').fill('It said the wrong thing.');
    await shot(page, 'phone-feedback');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page
      .getByRole('status')
      .getByText(/^Feedback recorded/)
      .waitFor();
    const feedback = await env.call('GET', `/sessions/${target}/feedback`, bearer);
    expect(feedback.body.items.map((f: { title: string; type: string }) => [f.title, f.type])).toEqual([['Wrong answer', 'incorrect_response']]);

    // Delete (confirmed in the dialog).
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('status').getByText('Session deleted.').waitFor();
    await expect.poll(() => sessions.count()).toBe(11);
    expect(await page.locator(`#session-list button[data-session-id="${target}"]`).count()).toBe(0);
    expect((await env.call('GET', `/sessions/${target}`, bearer)).status).toBe(404);
  });

  it('shows the sign-in prompt with the 401 body for an expired token', async () => {
    const { expired } = await badTokens(env.userId);
    const refusal = await env.call('GET', '/users/me', expired);
    expect(refusal.status).toBe(401);
    const page = await (await env.context(PHONE)).newPage();
    await signIn(page, env, { token: expired });
    const alert = page.locator('#signin-error');
    await alert.waitFor();
    // Read from the answer's JSON body: only possible because the API allowed this origin (CORS).
    expect(await alert.textContent()).toBe(`${refusal.body.error.message} (401 ${refusal.body.error.code})`);
    expect(await page.locator('#app').isHidden()).toBe(true);
    await shot(page, 'phone-signin-expired');

    // Signed in, then the token goes bad: any 401 brings the prompt back.
    await page.getByLabel(/^Token/).fill(env.userToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${env.userId}`).waitFor();
    await page.evaluate(
      `sessionStorage.setItem('pika.playground', JSON.stringify({ ...JSON.parse(sessionStorage.getItem('pika.playground')), token: ${JSON.stringify(expired)} }))`,
    );
    await page.reload();
    await page.locator('#signin-error', { hasText: refusal.body.error.message }).waitFor();
  });

  it('shows the error event and the partial answer of a faulty agent', async () => {
    const page = await (await env.context(PHONE)).newPage();
    await signIn(page, env, { query: 'chatApp=demo-faulty' });
    await page.getByText(`Signed in as ${env.userId}`).waitFor();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Please fail');
    await box.press('Enter');
    const answer = page.locator('.message.assistant').last();
    await answer.getByRole('alert').waitFor();
    expect(await answer.getByRole('alert').textContent()).toMatch(/^Error AGENT_ERROR: /);
    expect(await answer.locator('.text').textContent()).toBe('Partial answer');
    await page.getByRole('status').getByText('The answer failed: AGENT_ERROR.').waitFor();
    await shot(page, 'phone-faulty');
    // The failed turn is stored with its error: shown again after a reload.
    await page.reload();
    await page.locator('.message.assistant .error', { hasText: 'AGENT_ERROR' }).waitFor();
    expect(await page.locator('.message.assistant .text').textContent()).toBe('Partial answer');
  });
});

describe('/docs', () => {
  it('lists every route of the route table, offline, and "try it" calls the local API with the dev token', async () => {
    const page = await (await env.context(DESKTOP)).newPage();
    const origins = trackOrigins(page);
    await page.goto(`${env.pagesUrl}/docs`);
    await page.locator('body[data-ready="true"] .opblock').first().waitFor();
    const listed = await page.locator('.opblock').evaluateAll((blocks) =>
      blocks.map((el) => {
        const b = el as unknown as DomElement;
        return `${b.querySelector('.opblock-summary-method')?.textContent} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`;
      }),
    );
    expect(listed.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    await shot(page, 'desktop-docs');

    const getMe = page.locator('.opblock[id$="-getMe"]');
    await getMe.locator('.opblock-summary').first().click();
    await getMe.getByRole('button', { name: 'Execute' }).click();
    const status = getMe.locator('.live-responses-table tr.response .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('200');
    expect(await getMe.locator('.live-responses-table tr.response .response-col_description').first().textContent()).toContain(env.userId);
    expect([...origins].sort()).toEqual([env.apiUrl, env.pagesUrl].sort());
  });
});

describe('npm start wiring', () => {
  it('serves the pages on the API server itself, in front of the routes, from local files only', async () => {
    const api = await startLocalApi({ pages: createPlaygroundHandler({ token: env.userToken }) });
    try {
      const get = (path: string) => fetch(`${api.url}${path}`);
      for (const path of ['/', '/playground', '/playground/']) {
        const res = await get(path);
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).toContain('<title>Pika playground</title>');
        expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
      }
      const docs = await (await get('/docs')).text();
      expect(docs).not.toMatch(/(src|href)="(https?:)?\/\//);
      const app = await get('/playground/app.js');
      expect([app.status, app.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
      expect(await (await get('/playground/config.json')).json()).toEqual({ token: env.userToken });
      const spec = (await (await get('/docs/openapi.json')).json()) as { servers: unknown };
      expect(spec.servers).toEqual([{ url: api.url, description: 'local API' }]);
      expect((await get('/playground/nothing-here')).status).toBe(404);
      // The API is untouched: its routes and its JSON 404.
      expect((await get('/sessions')).status).toBe(401);
      expect(await (await get('/no-such-route')).json()).toMatchObject({ error: { code: 'NOT_FOUND' } });

      // What a new user does: open the URL, sign in with the prefilled token, chat (same origin as the API).
      const page = await (await env.context(DESKTOP)).newPage();
      await page.goto(`${api.url}/`);
      await expect.poll(() => page.getByLabel('API URL').inputValue()).toBe(api.url);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const box = page.getByRole('textbox', { name: 'Message' });
      await box.fill('Hi');
      await box.press('Enter');
      await page.locator('.message.assistant .usage').waitFor();
      expect(await page.locator('.message.assistant .text').textContent()).toBe('You said: Hi');
    } finally {
      await api.close();
    }
  });
});
