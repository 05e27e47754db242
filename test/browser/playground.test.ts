/**
 * The playground in a real browser against the real local API (DynamoDB Local + the agent emulator), from
 * another origin: streaming, history after a reload, stop, session management, a 401's sign-in prompt, a
 * failing agent, files attached from the page (uploaded to the local S3), the memory panel, and /docs.
 * Screenshots of the main states go to .test-results/screenshots/ (git-ignored).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes';
import { createPlaygroundHandler } from '../../scripts/local/playground';
import { startLocalApi } from '../../scripts/local/server';
import { badTokens, token, uid } from '../api/harness';
import { axeViolations, DESKTOP, PHONE, shot, signIn, useBrowserEnv } from './harness';

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

/** Every request the page made went to the pages' origin or the API's: nothing from a CDN. */
function trackOrigins(page: Page) {
  const origins = new Set<string>();
  page.on('request', (r) => void origins.add(new URL(r.url()).origin));
  return origins;
}

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
    expect(new Set(await sessions.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-session-id'))))).toEqual(new Set(created));
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

  it('attaches a file: session created, upload to the local S3 from the page, the agent receives it', async () => {
    const bearer = await token(uid('attach'));
    const page = await (await env.context(DESKTOP)).newPage();
    const origins = trackOrigins(page);
    await signIn(page, env, { query: 'chatApp=browser-files', token: bearer });
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.waitFor();
    await page.getByLabel('Attach file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Remember the milk.') });
    await box.fill('Read this');
    await box.press('Enter');
    const answer = page.locator('.message.assistant').last();
    await answer.locator('.usage').waitFor();
    // The agent names the file it received: announced, uploaded cross-origin to S3, passed by fileId.
    expect(await answer.locator('.text').textContent()).toBe('You said: Read this; files: notes.txt');
    expect(await page.locator('.message.user .files').textContent()).toBe('Attached: notes.txt');
    expect(await box.inputValue()).toBe('');
    expect(await page.getByLabel('Attach file').inputValue()).toBe('');
    await shot(page, 'desktop-file-attached');
    // The upload went to the local S3: a third origin, allowed by its CORS rule.
    expect(origins.size).toBe(3);

    // Stored: the user message carries the file; the history shows it after a reload.
    const sessionId = decodeURIComponent(new URL(page.url()).hash.replace('#/sessions/', ''));
    const messages = await env.call('GET', `/sessions/${sessionId}/messages`, bearer);
    expect(messages.body.items[0].files.map((f: { fileName: string; size: number }) => [f.fileName, f.size])).toEqual([['notes.txt', 18]]);
    const download = await env.call('GET', `/sessions/${sessionId}/files/${messages.body.items[0].files[0].fileId}`, bearer);
    expect(await (await fetch(download.body.url)).text()).toBe('Remember the milk.');
    await page.reload();
    await page.locator('.message.user .files', { hasText: 'Attached: notes.txt' }).waitFor();
  });

  it('shows an alert when the chat app refuses a file type, keeping the typed message', async () => {
    const bearer = await token(uid('refused'));
    const page = await (await env.context(PHONE)).newPage();
    await signIn(page, env, { query: 'chatApp=browser-files', token: bearer });
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.waitFor();
    await page.getByLabel('Attach file').setInputFiles({ name: 'tool.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    await box.fill('Run this');
    await page.getByRole('button', { name: 'Send' }).click();
    const alert = page.locator('#composer-error');
    await alert.waitFor();
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await alert.textContent()).toMatch(/^Attaching tool\.exe failed: .+ \(400 VALIDATION_FAILED\)$/);
    expect(await box.inputValue()).toBe('Run this');
    expect(await page.locator('.message').count()).toBe(0);
    await shot(page, 'phone-file-refused');
    // Nothing was sent: the session created for the file holds no message.
    const sessionId = decodeURIComponent(new URL(page.url()).hash.replace('#/sessions/', ''));
    expect((await env.call('GET', `/sessions/${sessionId}/messages`, bearer)).body.items).toEqual([]);
    // Without the file, the same message goes through and the alert is gone.
    await page.getByLabel('Attach file').setInputFiles([]);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.message.assistant .usage').waitFor();
    expect(await page.locator('.message.assistant .text').textContent()).toBe('You said: Run this; files: none');
    expect(await alert.isHidden()).toBe(true);
  });

  it('lists the memory a chat app kept, deletes a record, and forgets the user', async () => {
    const bearer = await token(uid('memory'));
    const records = async () => (await env.call('GET', '/users/me/memory', bearer)).body.items as { recordId: string; content: string }[];
    const page = await (await env.context(DESKTOP)).newPage();
    page.on('dialog', (d) => void d.accept());
    await signIn(page, env, { query: 'chatApp=demo-memory', token: bearer });
    const memory = page.getByRole('button', { name: 'Memory', exact: true });
    await memory.click();
    await page.getByText('Nothing remembered about you.').waitFor();
    await memory.click();

    const box = page.getByRole('textbox', { name: 'Message' });
    for (const [i, text] of ['My favourite colour is teal', 'I live in Lisbon'].entries()) {
      await box.fill(text);
      await box.press('Enter');
      await expect.poll(() => page.locator('.message.assistant .usage').count()).toBe(i + 1);
    }
    await expect.poll(async () => (await records()).map((r) => r.content).sort()).toEqual(['I live in Lisbon', 'My favourite colour is teal']);

    await memory.click();
    expect(await memory.getAttribute('aria-expanded')).toBe('true');
    const items = page.locator('#memory-list li');
    await expect.poll(() => items.count()).toBe(2);
    expect((await items.locator('.content').allTextContents()).join('\n')).toMatch(/teal/);
    await shot(page, 'desktop-memory');

    await page.getByRole('button', { name: 'Delete record: I live in Lisbon' }).click();
    await page.locator('#memory-status', { hasText: 'Record deleted. 1 left.' }).waitFor();
    expect((await records()).map((r) => r.content)).toEqual(['My favourite colour is teal']);

    await page.getByRole('button', { name: 'Forget me' }).click();
    await page.getByText('Nothing remembered about you.').waitFor();
    expect(await items.count()).toBe(0);
    expect(await records()).toEqual([]);
  });
});

describe('/docs', () => {
  it('lists every route of the route table, offline, and "try it" calls the local API with the dev token', async () => {
    const page = await (await env.context(DESKTOP)).newPage();
    const origins = trackOrigins(page);
    await page.goto(`${env.pagesUrl}/docs`);
    await page.locator('body[data-ready="true"] .opblock').first().waitFor();
    const listed = await page
      .locator('.opblock')
      .evaluateAll((blocks) =>
        blocks.map((b) => `${b.querySelector('.opblock-summary-method')?.textContent} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`),
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

describe('accessibility', () => {
  it('axe-core finds violations when there are some (an unlabeled field, low contrast)', async () => {
    const page = await (await env.context(DESKTOP, { bypassCSP: true })).newPage();
    await page.setContent(
      '<html lang="en"><head><title>t</title></head><body><main><input type="text"><p style="color:#bbb;background:#fff">faint</p></main></body></html>',
    );
    expect((await axeViolations(page)).map((v) => v.id).sort()).toEqual(['color-contrast', 'label']);
  });

  it("passes axe-core's WCAG 2.1 A/AA rules: sign-in, a conversation with feedback open, the memory panel, on desktop and phone", async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await (await env.context(viewport, { bypassCSP: true })).newPage();
      await page.goto(`${env.pagesUrl}/?chatApp=demo`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const box = page.getByRole('textbox', { name: 'Message' });
      await box.fill('Hello, accessibility');
      await box.press('Enter');
      await page.locator('.message.assistant .usage').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Feedback' }).click();
      await page.getByLabel('Description').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Memory', exact: true }).click();
      await page.locator('#memory-status', { hasText: /record/ }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
    }
  });
});
