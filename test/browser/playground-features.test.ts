/**
 * The playground's features beyond chatting, in a real browser against the real local API: files attached
 * from the page (uploaded to the local S3 from the pages' origin), the memory panel, and an axe-core audit.
 * Screenshots go to .test-results/screenshots/ (git-ignored).
 */
import { describe, expect, it } from 'vitest';
import { token, uid } from '../api/harness';
import { axeViolations, DESKTOP, PHONE, shot, signIn, trackOrigins, useBrowserEnv } from './harness';

const env = useBrowserEnv();

describe('files and memory', () => {
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
