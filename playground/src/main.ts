/**
 * The playground: a small web app built only on `pika-shared/client` (the proof that the client works in a
 * browser). Plain DOM; every text from the API is set with textContent.
 */
import { API_ROUTES, createPikaClient, PikaApiError, type ConverseEvent } from 'pika-shared/client';
import type { ChatMessageFile, ChatMessageUsage } from 'pika-shared/types/chatbot/chatbot-types';
import { SESSION_FEEDBACK_SEVERITIES, SESSION_FEEDBACK_TYPES } from 'pika-shared/types/chatbot/chatbot-types';
import { closeMemory, forgetMe, loadMemory, onMemoryUnauthorized, openMemory } from './memory';
import { messageItem, usageText } from './messages';
import { $, composerError, type Config, el, failureText, onUnauthorized, report, save, setStatus, state, stored, type Streaming } from './page';
import {
  closeSub,
  loadSessions,
  newChat,
  loadOlderMessages,
  openSession,
  openSub,
  refreshSession,
  refreshTitle,
  remove,
  rename,
  selectChatApp,
  sendFeedback,
  showSessionHeader,
} from './sessions';

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

// ---- wiring ---------------------------------------------------------------------------------------------

function fillOptions(id: string, values: readonly string[]) {
  $(id).replaceChildren(...values.map((v) => el('option', { value: v }, v.replace(/_/g, ' '))));
}

async function main() {
  onUnauthorized(showSignIn);
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
  $('older-messages').addEventListener('click', () => void loadOlderMessages());
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
