/** What the playground's modules share: the page's state, DOM helpers and the status line. */
import { PikaApiError, type PikaApiRoutes, type PikaClient } from 'pika-shared/client';
import type { ChatSession } from 'pika-shared/types/chatbot/chatbot-types';

export interface Config {
  apiUrl?: string;
  token?: string;
  chatApps?: { chatAppId: string; title: string }[];
}
export type Session = ChatSession<Record<string, unknown> | undefined>;
export type MemoryRecord = PikaApiRoutes['listMyMemory']['response']['items'][number];
export interface Streaming {
  controller: AbortController;
  sessionId?: string;
  stopping: boolean;
}

export const STORE = 'pika.playground';
export const PAGE_SIZE = 10;
/** Messages per page: a session opens at its newest page; "Load older messages" pages backwards. */
export const MESSAGE_PAGE_SIZE = 50;

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
export const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

export const state: {
  apiUrl: string;
  token: string;
  chatAppId: string;
  client?: PikaClient;
  session?: Session;
  cursor?: string;
  /** The open session's cursor to its older messages (order desc); none = its first message is shown. */
  olderCursor?: string;
  streaming?: Streaming;
  uploading?: boolean;
  memoryCursor?: string;
} = { apiUrl: '', token: '', chatAppId: '' };

export function save() {
  sessionStorage.setItem(STORE, JSON.stringify({ apiUrl: state.apiUrl, token: state.token, chatAppId: state.chatAppId }));
}
export function stored(): Partial<Pick<typeof state, 'apiUrl' | 'token' | 'chatAppId'>> {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) ?? '{}');
  } catch {
    return {};
  }
}

/** How a 401 is handled (main.ts: back to the sign-in form, with the server's message); set once at start. */
let signInAgain: (message: string) => void = () => undefined;
export function onUnauthorized(handler: typeof signInAgain): void {
  signInAgain = handler;
}

/** 401 anywhere: back to the sign-in form, with the server's own message. Other errors: the status line. */
export function report(err: unknown, what: string) {
  if (err instanceof PikaApiError && err.status === 401) return signInAgain(`${err.message} (${err.code}). Sign in again with a valid token.`);
  if (err instanceof DOMException && err.name === 'AbortError') return;
  setStatus(failureText(err, what), true);
}

/** The composer's alert: why a message was not sent (empty: none). */
export function composerError(text?: string) {
  const box = $('composer-error');
  box.hidden = !text;
  box.textContent = text ?? '';
}

export function setStatus(text: string, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

/** "<what> failed: <the server's message> (<status> <code>)", or the error's own message. */
export function failureText(err: unknown, what: string): string {
  return err instanceof PikaApiError
    ? `${what} failed: ${err.message} (${err.status} ${err.code})`
    : `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
}
