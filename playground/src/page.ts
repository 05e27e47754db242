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
