/** The page: its configuration, the history of a reopened chat (?session=…), then the chat. */
import type { UIMessage } from 'ai';
import { toUIMessages } from 'pika-shared/util/chat-protocols';
import type { ChatMessage } from 'pika-shared/types/chatbot/chatbot-types';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import type { ChatConfig } from './config.js';

async function start() {
  const config = (await (await fetch('config.json')).json()) as ChatConfig;
  const sessionId = new URL(location.href).searchParams.get('session') ?? undefined;
  let history: UIMessage[] = [];
  if (sessionId) {
    const res = await fetch(`${config.apiUrl}/sessions/${encodeURIComponent(sessionId)}/messages?limit=100`, {
      headers: { authorization: `Bearer ${config.token}` },
    });
    if (res.ok) history = toUIMessages(((await res.json()) as { items: ChatMessage[] }).items) as UIMessage[];
  }
  createRoot(document.getElementById('root')!).render(<App config={config} history={history} {...(sessionId ? { sessionId } : {})} />);
}

void start();
