/**
 * The contract between the chat backend and an AG-UI server hosted on AgentCore Runtime (server protocol `AGUI`,
 * an `agentcore-runtime` agent with `protocol: 'AGUI'`). AgentCore passes the `InvokeAgentRuntime` payload to the
 * container's `POST /invocations` unchanged, and streams its Server-Sent Events back.
 *
 * - Request: an AG-UI 1.0 `RunAgentInput` —
 *   `threadId`: the provider session id (the runtime session id, stable for the chat session);
 *   `runId`: new for each turn;
 *   `messages`: the history when the runtime may have lost it (`{ id, role: 'user' | 'assistant', content }`), then
 *   the user's message (text; its files are in `forwardedProps`);
 *   `tools: []`, `state: {}`;
 *   `context`: `{ description: AG_UI_SESSION_CONTEXT, value: <session context block> }` (what a model reads: the
 *   decoded session data, as a harness gets it, `sessionContextBlock`), then the recalled user memory and the
 *   files as their blocks (`AG_UI_USER_MEMORY`, `AG_UI_ATTACHED_FILES`) when there are any;
 *   `forwardedProps`: `{ sessionAttributes, files?, memory? }` (`AgUiForwardedProps`): what tools read, exactly
 *   the fields of the HTTP payload.
 *   `parseAgentRuntimePayload` (./agentcore.ts) reads a `RunAgentInput` like the HTTP payload: the last user
 *   message is the prompt, the messages before it the history, `forwardedProps` the rest; without
 *   `forwardedProps.sessionAttributes`, the session data of the session context entry.
 * - Response: `text/event-stream`, one AG-UI event per `data:` line (RUN_STARTED, TEXT_MESSAGE_*, TOOL_CALL_*,
 *   …, then RUN_FINISHED or RUN_ERROR). Usage: `usage` of RUN_FINISHED / RUN_ERROR (AG-UI 1.0 `TokenUsage[]`,
 *   summed), or CUSTOM events named `usage` with `{ inputTokens, outputTokens }`.
 *
 * No zod and no Node built-ins (like ./agentcore.ts); parse events with `@ag-ui/core` where you have it.
 */
import type { AgentRuntimeFile } from './agentcore';

/** The `context` entry that holds the session context block. */
export const AG_UI_SESSION_CONTEXT = 'Session context: the user, the chat session, the chat app and custom data (JSON)';
/** The `context` entry that holds the recalled user memory block. */
export const AG_UI_USER_MEMORY = 'What is remembered about the user, most relevant first (JSON)';
/** The `context` entry that holds the attached files block. */
export const AG_UI_ATTACHED_FILES = 'Files attached to the user message (JSON)';
/** The name of a CUSTOM event carrying `{ inputTokens, outputTokens }` (for servers that cannot set RUN_FINISHED.usage). */
export const AG_UI_USAGE_EVENT = 'usage';

/** What the relay puts in `forwardedProps`: the HTTP payload's fields besides prompt and history. */
export interface AgUiForwardedProps {
    /** Encoded like Bedrock session attributes (`encodeSessionAttributes`). */
    sessionAttributes: Record<string, string>;
    files?: AgentRuntimeFile[];
    memory?: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A message's text: a string, or the text parts of AG-UI input content. */
const textOf = (content: unknown): string =>
    typeof content === 'string'
        ? content
        : Array.isArray(content)
          ? content.map((p) => (isRecord(p) && p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('')
          : '';

/** True when a payload is an AG-UI `RunAgentInput` (a `threadId` and `messages`). */
export const isRunAgentInput = (value: unknown): value is Record<string, unknown> =>
    isRecord(value) && typeof value.threadId === 'string' && Array.isArray(value.messages);

/**
 * A `RunAgentInput` as the fields of our HTTP payload (`prompt`, `history`, `sessionAttributes`, `files`,
 * `memory`) plus `sessionContext` (the session context entry's text) for `parseAgentRuntimePayload`, which
 * validates them as it does the HTTP payload. Undefined for anything else.
 */
export function runAgentInputPayload(obj: Record<string, unknown>): Record<string, unknown> | undefined {
    if (!isRunAgentInput(obj)) return undefined;
    const messages = (obj.messages as unknown[]).filter(isRecord);
    const last = messages.findLastIndex((m) => m.role === 'user');
    const props = isRecord(obj.forwardedProps) ? obj.forwardedProps : {};
    const context = (Array.isArray(obj.context) ? obj.context : []).find((c) => isRecord(c) && c.description === AG_UI_SESSION_CONTEXT);
    return {
        prompt: last < 0 ? '' : textOf(messages[last]!.content),
        history: messages.slice(0, Math.max(last, 0)).map((m) => ({ role: m.role, content: textOf(m.content) })),
        sessionAttributes: props.sessionAttributes,
        files: props.files,
        memory: props.memory,
        sessionContext: isRecord(context) && typeof context.value === 'string' ? context.value : undefined,
    };
}
