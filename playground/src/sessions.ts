/** The session list of the chat app, the open session's header and its actions (rename, delete, feedback). */
import { PikaApiError } from 'pika-shared/client';
import type { ChatMessage, SESSION_FEEDBACK_SEVERITIES, SESSION_FEEDBACK_TYPES } from 'pika-shared/types/chatbot/chatbot-types';
import { messageItem, money } from './messages';
import { $, composerError, el, MESSAGE_PAGE_SIZE, PAGE_SIZE, report, save, type Session, setStatus, state } from './page';

function sessionLabel(s: Session) {
  return s.title?.trim() || 'Untitled session';
}

export async function loadSessions(reset: boolean) {
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

export function showSessionHeader() {
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

export function newChat() {
  state.session = undefined;
  history.replaceState(null, '', location.pathname + location.search);
  $('messages').replaceChildren();
  showOlder(undefined);
  setStatus('');
  composerError();
  showSessionHeader();
}

export async function openSession(sessionId: string) {
  if (!state.client || state.streaming) return;
  try {
    const session = await state.client.call('getSession', { params: { sessionId } });
    if (session.chatAppId !== state.chatAppId) selectChatApp(session.chatAppId);
    // One page of the newest messages, newest first: shown oldest first, older ones on demand.
    const page = await state.client.call('listMessages', { params: { sessionId }, query: { order: 'desc', limit: MESSAGE_PAGE_SIZE } });
    state.session = session;
    history.replaceState(null, '', `#/sessions/${encodeURIComponent(sessionId)}`);
    $('messages').replaceChildren(...oldestFirst(page.items).map(messageItem));
    showOlder(page.nextCursor);
    const n = page.items.length;
    setStatus(page.nextCursor ? `The latest ${n} messages` : `${n} message${n === 1 ? '' : 's'}`);
    showSessionHeader();
  } catch (err) {
    if (err instanceof PikaApiError && err.status === 404) {
      newChat();
      return setStatus('That session does not exist (any more).', true);
    }
    report(err, 'Opening the session');
  }
}

const oldestFirst = (newestFirst: ChatMessage[]) => [...newestFirst].reverse();

function showOlder(cursor: string | undefined) {
  state.olderCursor = cursor;
  $('older-messages').hidden = !cursor;
}

/** "Load older messages": the next page backwards (order desc), put above the messages shown. */
export async function loadOlderMessages() {
  const { client, session, olderCursor } = state;
  if (!client || !session || !olderCursor) return;
  try {
    const page = await client.call('listMessages', {
      params: { sessionId: session.sessionId },
      query: { order: 'desc', limit: MESSAGE_PAGE_SIZE, cursor: olderCursor },
    });
    if (state.session?.sessionId !== session.sessionId) return; // another session was opened meanwhile
    $('messages').prepend(...oldestFirst(page.items).map(messageItem));
    showOlder(page.nextCursor);
    const n = $('messages').children.length;
    setStatus(page.nextCursor ? `The latest ${n} messages` : `All ${n} messages`);
    if (!page.nextCursor) $('chat-title').focus(); // the button is gone: focus stays in the conversation
  } catch (err) {
    report(err, 'Loading older messages');
  }
}

export async function refreshSession(sessionId: string) {
  if (!state.client) return;
  try {
    state.session = await state.client.call('getSession', { params: { sessionId } });
    showSessionHeader();
  } catch (err) {
    report(err, 'Reading the session');
  }
}

export async function refreshTitle(sessionId: string) {
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

export function openSub(id: string, button: string) {
  $(id).hidden = false;
  $(button).setAttribute('aria-expanded', 'true');
  $(id).querySelector<HTMLElement>('input, select, textarea')?.focus();
}
export function closeSub(id: string) {
  $(id).hidden = true;
  document.querySelector(`[aria-controls="${id}"]`)?.setAttribute('aria-expanded', 'false');
}

export async function rename(title: string) {
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

export async function remove() {
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

export async function sendFeedback(form: HTMLFormElement) {
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

export function selectChatApp(chatAppId: string) {
  const select = $<HTMLSelectElement>('chat-app');
  if (![...select.options].some((o) => o.value === chatAppId)) select.append(el('option', { value: chatAppId }, chatAppId));
  select.value = chatAppId;
  state.chatAppId = chatAppId;
  save();
}
