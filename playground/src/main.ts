/**
 * The playground: a small web app built only on `pika-shared/client` (the proof that the client works in a
 * browser). Plain DOM; every text from the API is set with textContent.
 */
import { API_ROUTES, createPikaClient, PikaApiError, type ConverseEvent } from 'pika-shared/client';
import type { ChatMessage, ChatMessageFile, ChatMessageUsage } from 'pika-shared/types/chatbot/chatbot-types';
import { SESSION_FEEDBACK_SEVERITIES, SESSION_FEEDBACK_TYPES } from 'pika-shared/types/chatbot/chatbot-types';
import { closeMemory, forgetMe, loadMemory, onMemoryUnauthorized, openMemory } from './memory';
import { $, type Config, el, failureText, PAGE_SIZE, save, type Session, setStatus, state, stored, type Streaming } from './page';

/** 401 anywhere: back to the sign-in form, with the server's own message. Other errors: the status line. */
function report(err: unknown, what: string) {
  if (err instanceof PikaApiError && err.status === 401) return showSignIn(`${err.message} (${err.code}). Sign in again with a valid token.`);
  if (err instanceof DOMException && err.name === 'AbortError') return;
  setStatus(failureText(err, what), true);
}

function showSignIn(error?: string) {
  state.streaming?.controller.abort();
  state.client = undefined;
  $('app').hidden = true;
  $('who').hidden = true;
  $('sign-out').hidden = true;
  $('memory').hidden = true;
  closeMemory(false);
  $('signin').hidden = false;
  const box = $('signin-error');
  box.hidden = !error;
  box.textContent = error ?? '';
  $<HTMLInputElement>('api-url').value = state.apiUrl;
  $<HTMLTextAreaElement>('token').value = state.token;
  $('token').focus();
}

async function signIn(): Promise<void> {
  const client = createPikaClient({ baseUrl: state.apiUrl, token: () => state.token });
  try {
    const me = await client.call('getMe', {});
    state.client = client;
    save();
    // Everything loaded before the app is shown, so nothing typed meanwhile is wiped.
    await loadSessions(true);
    const fromHash = /^#\/sessions\/(.+)$/.exec(location.hash)?.[1];
    if (fromHash) await openSession(decodeURIComponent(fromHash));
    else newChat();
    if (state.client !== client) return; // a 401 meanwhile: back at the sign-in form
    $('signin').hidden = true;
    $('app').hidden = false;
    const who = $('who');
    who.textContent = `Signed in as ${me.userId}${me.roles?.length ? ` (${me.roles.join(', ')})` : ''}`;
    who.hidden = false;
    $('sign-out').hidden = false;
    $('memory').hidden = false;
    $('message').focus();
  } catch (err) {
    if (err instanceof PikaApiError) showSignIn(`${err.message} (${err.status} ${err.code})`);
    else showSignIn(`Cannot reach the API at ${state.apiUrl}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// ---- sessions -------------------------------------------------------------------------------------------

function sessionLabel(s: Session) {
  return s.title?.trim() || 'Untitled session';
}

async function loadSessions(reset: boolean) {
  if (!state.client) return;
  if (reset) state.cursor = undefined;
  try {
    const page = await state.client.call('listSessions', {
      query: { chatAppId: state.chatAppId, limit: PAGE_SIZE, ...(state.cursor ? { cursor: state.cursor } : {}) },
    });
    const list = $('session-list');
    if (reset) list.replaceChildren();
    for (const s of page.items) list.append(sessionItem(s));
    state.cursor = page.nextCursor;
    $('more-sessions').hidden = !page.nextCursor;
    $('no-sessions').hidden = list.children.length > 0;
    markCurrent();
  } catch (err) {
    report(err, 'Listing sessions');
  }
}

function sessionItem(s: Session) {
  const button = el('button', { type: 'button', className: 'session' }, sessionLabel(s), el('small', {}, new Date(s.lastUpdate).toLocaleString()));
  button.dataset.sessionId = s.sessionId;
  // Opened by the user: focus (and, on a phone, scroll) moves to the session.
  button.addEventListener('click', () => void openSession(s.sessionId).then(() => state.session?.sessionId === s.sessionId && $('chat-title').focus()));
  return el('li', {}, button);
}

function listItemOf(sessionId: string): HTMLLIElement | undefined {
  return [...document.querySelectorAll<HTMLButtonElement>('#session-list button')].find((b) => b.dataset.sessionId === sessionId)?.closest('li') ?? undefined;
}

function markCurrent() {
  for (const b of document.querySelectorAll<HTMLButtonElement>('#session-list button')) {
    b.setAttribute('aria-current', String(b.dataset.sessionId === state.session?.sessionId));
  }
}

function showSessionHeader() {
  const s = state.session;
  $('chat-title').textContent = s ? sessionLabel(s) : 'New chat';
  $('session-actions').hidden = !s;
  const usage = $('session-usage');
  usage.hidden = !s;
  if (s)
    usage.textContent = `Session: ${s.inputTokens ?? 0} input + ${s.outputTokens ?? 0} output tokens, cost ${money(s.totalCost ?? 0)} · ${s.chatAppId} · agent ${s.agentId}`;
  for (const id of ['rename-form', 'feedback-form']) closeSub(id);
  markCurrent();
}

function newChat() {
  state.session = undefined;
  history.replaceState(null, '', location.pathname + location.search);
  $('messages').replaceChildren();
  setStatus('');
  composerError();
  showSessionHeader();
}

async function openSession(sessionId: string) {
  if (!state.client || state.streaming) return;
  try {
    const session = await state.client.call('getSession', { params: { sessionId } });
    if (session.chatAppId !== state.chatAppId) selectChatApp(session.chatAppId);
    const messages: ChatMessage[] = [];
    let cursor: string | undefined;
    do {
      const page = await state.client.call('listMessages', { params: { sessionId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } });
      messages.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    state.session = session;
    history.replaceState(null, '', `#/sessions/${encodeURIComponent(sessionId)}`);
    $('messages').replaceChildren(...messages.map(messageItem));
    setStatus(`${messages.length} message${messages.length === 1 ? '' : 's'}`);
    showSessionHeader();
  } catch (err) {
    if (err instanceof PikaApiError && err.status === 404) {
      newChat();
      return setStatus('That session does not exist (any more).', true);
    }
    report(err, 'Opening the session');
  }
}

async function refreshSession(sessionId: string) {
  if (!state.client) return;
  try {
    state.session = await state.client.call('getSession', { params: { sessionId } });
    showSessionHeader();
  } catch (err) {
    report(err, 'Reading the session');
  }
}

async function refreshTitle(sessionId: string) {
  if (!state.client || state.streaming) return;
  try {
    const session = await state.client.call('getSession', { params: { sessionId } });
    if (!session.title) return;
    listItemOf(sessionId)?.replaceWith(sessionItem(session));
    if (state.session?.sessionId === sessionId) {
      state.session = session;
      $('chat-title').textContent = sessionLabel(session);
    }
    markCurrent();
  } catch {
    /* the title is a nicety: the next list refresh shows it */
  }
}

// ---- messages -------------------------------------------------------------------------------------------

function money(usd: number) {
  return `$${usd.toFixed(6)}`;
}

function usageText(u: Partial<ChatMessageUsage>) {
  return `${u.inputTokens ?? 0} input + ${u.outputTokens ?? 0} output tokens · cost ${money(u.totalCost ?? 0)}`;
}

function messageItem(m: Pick<ChatMessage, 'role' | 'content' | 'usage' | 'status' | 'error' | 'files'>) {
  const li = el(
    'li',
    { className: `message ${m.role}` },
    el('div', { className: 'who' }, m.role === 'user' ? 'You' : m.role === 'assistant' ? 'Assistant' : 'System'),
    el('p', { className: 'text' }, m.content),
  );
  if (m.files?.length) li.append(el('p', { className: 'files' }, `Attached: ${m.files.map((f) => f.fileName).join(', ')}`));
  if (m.error) li.append(el('p', { className: 'error' }, `Error ${m.error.code}: ${m.error.message}`));
  if (m.status === 'cancelled') li.append(el('p', { className: 'note' }, 'Stopped: the partial answer is kept.'));
  if (m.usage) li.append(el('p', { className: 'usage' }, usageText(m.usage)));
  return li;
}

async function send(text: string, files: ChatMessageFile[] = []) {
  if (!state.client || state.streaming) return;
  const list = $('messages');
  const question = messageItem({ role: 'user', content: text, files });
  list.append(question);
  const answer = messageItem({ role: 'assistant', content: '' });
  answer.setAttribute('aria-busy', 'true');
  answer.classList.add('streaming');
  list.append(answer);
  const textNode = answer.querySelector('.text')!;
  const streaming: Streaming = { controller: new AbortController(), stopping: false, ...(state.session ? { sessionId: state.session.sessionId } : {}) };
  state.streaming = streaming;
  setBusy(true);
  setStatus('The agent is answering…');
  let outcome = 'Answer complete.';
  let isError = false;
  try {
    const events = state.client.converse(
      { chatAppId: state.chatAppId, message: text, ...(streaming.sessionId ? { sessionId: streaming.sessionId } : {}), ...(files.length ? { files } : {}) },
      { signal: streaming.controller.signal },
    );
    for await (const ev of events as AsyncGenerator<ConverseEvent>) {
      if (ev.event === 'session') {
        streaming.sessionId = ev.data.sessionId;
        if (!state.session) history.replaceState(null, '', `#/sessions/${encodeURIComponent(ev.data.sessionId)}`);
      } else if (ev.event === 'chunk') {
        textNode.append(ev.data.text);
        answer.scrollIntoView({ block: 'nearest' });
      } else if (ev.event === 'tool') {
        if (ev.data.phase === 'use') setStatus(`The agent is using ${ev.data.name}…`);
      } else if (ev.event === 'verification') {
        answer.append(el('p', { className: 'note' }, ev.data.grade ? `Verified: grade ${ev.data.grade}. ${ev.data.reason}` : ev.data.reason));
      } else if (ev.event === 'retry') {
        textNode.textContent = '';
        setStatus(`Graded ${ev.data.grade}: the agent is correcting its answer…`);
      } else if (ev.event === 'done') {
        if (ev.data.cancelled) answer.append(el('p', { className: 'note' }, 'Stopped: the partial answer is kept.'));
        answer.append(el('p', { className: 'usage' }, usageText((ev.data.usage ?? {}) as Partial<ChatMessageUsage>)));
      } else if (ev.event === 'error') {
        answer.append(el('p', { className: 'error', role: 'alert' } as Partial<HTMLParagraphElement>, `Error ${ev.data.code}: ${ev.data.message}`));
        outcome = `The answer failed: ${ev.data.code}.`;
        isError = true;
      }
    }
    if (streaming.stopping) [outcome, isError] = ['Stopped.', false];
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') outcome = 'Stopped.';
    else {
      answer.remove();
      report(err, 'Sending');
      outcome = '';
      // Refused before the stream: the typed message goes back to the box, the refusal is an alert.
      if (err instanceof PikaApiError && err.status !== 401) {
        question.remove();
        const box = $<HTMLTextAreaElement>('message');
        if (!box.value) box.value = text;
        composerError(failureText(err, 'Sending'));
      }
    }
  } finally {
    answer.removeAttribute('aria-busy');
    answer.classList.remove('streaming');
    state.streaming = undefined;
    setBusy(false);
  }
  if (outcome) setStatus(outcome, isError);
  if (streaming.sessionId) {
    await refreshSession(streaming.sessionId);
    await loadSessions(true);
    // A new session's title is written just after the stream ends (docs/converse.md): picked up once, a bit later.
    if (!state.session?.title) setTimeout(() => void refreshTitle(streaming.sessionId!), 1_500);
  }
  $('message').focus();
}

function setBusy(busy: boolean) {
  $<HTMLButtonElement>('send').disabled = busy;
  $<HTMLButtonElement>('stop').disabled = !busy;
  $('messages').setAttribute('aria-busy', String(busy));
  for (const id of ['new-chat', 'rename', 'delete', 'attach']) $<HTMLButtonElement>(id).disabled = busy;
}

// ---- files ----------------------------------------------------------------------------------------------

function composerError(text?: string) {
  const box = $('composer-error');
  box.hidden = !text;
  box.textContent = text ?? '';
}

/**
 * A message with a file (docs/api.md, Files): the session first (created when the chat has none), the file
 * announced, uploaded to the presigned POST (its fields, then the file), then the turn with the file. Any
 * refusal is an alert and the typed message stays in the box.
 */
async function sendWithFile(text: string, file: File) {
  const client = state.client;
  if (!client || state.streaming || state.uploading) return;
  state.uploading = true;
  setBusy(true);
  $<HTMLButtonElement>('stop').disabled = true;
  composerError();
  let step = 'Creating the session';
  try {
    if (!state.session) {
      setStatus('Creating the session…');
      state.session = await client.call('createSession', { body: { chatAppId: state.chatAppId } });
      history.replaceState(null, '', `#/sessions/${encodeURIComponent(state.session.sessionId)}`);
      showSessionHeader();
    }
    step = `Attaching ${file.name}`;
    setStatus(`Uploading ${file.name}…`);
    const { file: record, upload } = await client.call('createFileUpload', {
      params: { sessionId: state.session.sessionId },
      body: { fileName: file.name, mimeType: file.type || 'application/octet-stream', size: file.size },
    });
    const form = new FormData();
    for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
    form.append('file', file, file.name);
    const res = await fetch(upload.url, { method: 'POST', body: form });
    if (!res.ok) throw new Error(`the file store answered ${res.status}`);
    $<HTMLInputElement>('attach').value = '';
    $<HTMLTextAreaElement>('message').value = '';
    state.uploading = false;
    setBusy(false);
    await send(text, [record]);
  } catch (err) {
    state.uploading = false;
    setBusy(false);
    if (err instanceof PikaApiError && err.status === 401) return report(err, step);
    composerError(failureText(err, step));
    setStatus('');
    if (state.session) await loadSessions(true);
  }
}

/** Stop: the cancel route when the client's route list has one (the server ends the turn), else abort the fetch. */
async function stop() {
  const s = state.streaming;
  if (!s || s.stopping) return;
  s.stopping = true;
  setStatus('Stopping…');
  if (API_ROUTES.some((r) => r.id === 'cancelSession') && s.sessionId && state.client) {
    try {
      // The server stops the agent, stores the partial answer as cancelled and ends the stream (done, cancelled).
      await state.client.call('cancelSession', { params: { sessionId: s.sessionId } });
      // The server ends the stream; should it not within a few seconds, the fetch is aborted after all.
      setTimeout(() => state.streaming === s && s.controller.abort(), 5_000);
      return;
    } catch {
      /* fall back to aborting the fetch */
    }
  }
  s.controller.abort();
}

// ---- rename, delete, feedback ---------------------------------------------------------------------------

function openSub(id: string, button: string) {
  $(id).hidden = false;
  $(button).setAttribute('aria-expanded', 'true');
  $(id).querySelector<HTMLElement>('input, select, textarea')?.focus();
}
function closeSub(id: string) {
  $(id).hidden = true;
  document.querySelector(`[aria-controls="${id}"]`)?.setAttribute('aria-expanded', 'false');
}

async function rename(title: string) {
  if (!state.client || !state.session) return;
  try {
    const session = await state.client.call('updateSession', { params: { sessionId: state.session.sessionId }, body: { title } });
    state.session = session;
    showSessionHeader();
    setStatus('Renamed.');
    // In place: the pages of sessions already loaded stay.
    const item = listItemOf(session.sessionId);
    if (item) item.replaceWith(sessionItem(session));
    else await loadSessions(true);
    markCurrent();
    $('rename').focus();
  } catch (err) {
    report(err, 'Renaming');
  }
}

async function remove() {
  if (!state.client || !state.session) return;
  if (!confirm(`Delete “${sessionLabel(state.session)}” and all its messages?`)) return;
  try {
    const { sessionId } = state.session;
    await state.client.call('deleteSession', { params: { sessionId } });
    newChat();
    setStatus('Session deleted.');
    listItemOf(sessionId)?.remove();
    $('no-sessions').hidden = $('session-list').children.length > 0;
    $('new-chat').focus();
  } catch (err) {
    report(err, 'Deleting');
  }
}

async function sendFeedback(form: HTMLFormElement) {
  if (!state.client || !state.session) return;
  const data = new FormData(form);
  try {
    const fb = await state.client.call('createFeedback', {
      params: { sessionId: state.session.sessionId },
      body: {
        type: String(data.get('type')) as (typeof SESSION_FEEDBACK_TYPES)[number],
        severity: String(data.get('severity')) as (typeof SESSION_FEEDBACK_SEVERITIES)[number],
        title: String(data.get('title')),
        description: String(data.get('description') ?? ''),
      },
    });
    form.reset();
    closeSub('feedback-form');
    setStatus(`Feedback recorded (${fb.type}, ${fb.severity}, status ${fb.status}).`);
    $('feedback').focus();
  } catch (err) {
    report(err, 'Sending feedback');
  }
}

// ---- wiring ---------------------------------------------------------------------------------------------

function selectChatApp(chatAppId: string) {
  const select = $<HTMLSelectElement>('chat-app');
  if (![...select.options].some((o) => o.value === chatAppId)) select.append(el('option', { value: chatAppId }, chatAppId));
  select.value = chatAppId;
  state.chatAppId = chatAppId;
  save();
}

function fillOptions(id: string, values: readonly string[]) {
  $(id).replaceChildren(...values.map((v) => el('option', { value: v }, v.replace(/_/g, ' '))));
}

async function main() {
  onMemoryUnauthorized(report);
  const config: Config = await fetch('/playground/config.json').then(
    (r) => (r.ok ? r.json() : {}),
    () => ({}),
  );
  const saved = stored();
  const params = new URLSearchParams(location.search);
  state.apiUrl = params.get('api') ?? saved.apiUrl ?? config.apiUrl ?? location.origin;
  state.token = saved.token ?? config.token ?? '';
  const apps = config.chatApps?.length ? config.chatApps : [{ chatAppId: 'demo', title: 'Demo' }];
  $('chat-app').replaceChildren(...apps.map((a) => el('option', { value: a.chatAppId }, `${a.title} (${a.chatAppId})`)));
  selectChatApp(params.get('chatApp') ?? saved.chatAppId ?? apps[0]!.chatAppId);
  fillOptions('feedback-type', SESSION_FEEDBACK_TYPES);
  fillOptions('feedback-severity', SESSION_FEEDBACK_SEVERITIES);

  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.apiUrl = $<HTMLInputElement>('api-url').value.trim().replace(/\/$/, '');
    state.token = $<HTMLTextAreaElement>('token')
      .value.trim()
      .replace(/^Bearer\s+/i, '');
    void signIn();
  });
  $('sign-out').addEventListener('click', () => {
    state.token = '';
    state.client = undefined;
    save();
    showSignIn();
  });
  $('chat-app').addEventListener('change', () => {
    selectChatApp($<HTMLSelectElement>('chat-app').value);
    newChat();
    void loadSessions(true);
  });
  $('new-chat').addEventListener('click', () => {
    newChat();
    $('message').focus();
  });
  $('more-sessions').addEventListener('click', () => void loadSessions(false));
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const box = $<HTMLTextAreaElement>('message');
    const text = box.value.trim();
    if (!text || state.streaming || state.uploading) return;
    const file = $<HTMLInputElement>('attach').files?.[0];
    if (file) return void sendWithFile(text, file);
    composerError();
    box.value = '';
    void send(text);
  });
  $('message').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $<HTMLFormElement>('composer').requestSubmit();
    }
  });
  $('stop').addEventListener('click', () => void stop());
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && state.streaming) void stop();
  });
  $('rename').addEventListener('click', () => {
    $<HTMLInputElement>('rename-title').value = state.session?.title ?? '';
    openSub('rename-form', 'rename');
  });
  $('feedback').addEventListener('click', () => openSub('feedback-form', 'feedback'));
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-close]')) b.addEventListener('click', () => closeSub(b.dataset.close!));
  $('rename-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void rename($<HTMLInputElement>('rename-title').value.trim());
  });
  $('feedback-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void sendFeedback(e.target as HTMLFormElement);
  });
  $('delete').addEventListener('click', () => void remove());
  $('memory').addEventListener('click', () => ($('memory-panel').hidden ? void openMemory() : closeMemory()));
  $('close-memory').addEventListener('click', () => closeMemory());
  $('more-memory').addEventListener('click', () => void loadMemory(false));
  $('forget-me').addEventListener('click', () => void forgetMe());

  document.body.dataset.ready = 'true';
  if (saved.token) await signIn();
  else showSignIn();
}

void main();
