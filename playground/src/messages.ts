/** A message of the conversation as a list item, and the usage and cost texts. */
import type { ChatMessage, ChatMessageUsage } from 'pika-shared/types/chatbot/chatbot-types';
import { el } from './page';

export function money(usd: number) {
  return `$${usd.toFixed(6)}`;
}

export function usageText(u: Partial<ChatMessageUsage>) {
  return `${u.inputTokens ?? 0} input + ${u.outputTokens ?? 0} output tokens · cost ${money(u.totalCost ?? 0)}`;
}

export function messageItem(m: Pick<ChatMessage, 'role' | 'content' | 'usage' | 'status' | 'error' | 'files'>) {
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
