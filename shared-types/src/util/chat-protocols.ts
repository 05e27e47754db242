/**
 * A stored conversation in the chat libraries' own message shapes, to reopen a chat (docs/converse.md#client-protocols):
 * the messages of `GET /sessions/{sessionId}/messages` as the AI SDK's `UIMessage`s (`useChat({ id: sessionId,
 * messages })`) or AG-UI messages (`new HttpAgent({ threadId: sessionId, initialMessages })`). Structural
 * types: no dependency on either library.
 */
import type { ChatMessage } from '../types/chatbot/chatbot-types';

/** What `useChat` keeps per message; `metadata` is what the stream's `start`/`finish` chunks give a new answer. */
export interface PikaUIMessage {
    id: string;
    role: 'user' | 'assistant' | 'system';
    parts: { type: 'text'; text: string }[];
    metadata: { sessionId: string; messageId: string; createDate: string; usage?: ChatMessage['usage']; status?: ChatMessage['status'] };
}

/** An AG-UI message (user, assistant or system, text content). */
export interface PikaAgUiMessage {
    id: string;
    role: 'user' | 'assistant' | 'system';
    content: string;
}

/** Stored messages, oldest first, as AI SDK UI messages (a message without text has no parts). */
export function toUIMessages(messages: readonly ChatMessage[]): PikaUIMessage[] {
    return messages.map((m) => ({
        id: m.messageId,
        role: m.role,
        parts: m.content ? [{ type: 'text' as const, text: m.content }] : [],
        metadata: {
            sessionId: m.sessionId,
            messageId: m.messageId,
            createDate: m.createDate,
            ...(m.usage ? { usage: m.usage } : {}),
            ...(m.status ? { status: m.status } : {}),
        },
    }));
}

/** Stored messages, oldest first, as AG-UI messages. */
export function toAgUiMessages(messages: readonly ChatMessage[]): PikaAgUiMessage[] {
    return messages.map((m) => ({ id: m.messageId, role: m.role, content: m.content }));
}
