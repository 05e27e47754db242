/**
 * The contract between the chat backend and agents on Amazon Bedrock AgentCore.
 *
 * AgentCore Runtime (`InvokeAgentRuntime`) passes an opaque payload to a code-defined agent and streams the
 * agent's response body back. Ours:
 *
 * - Request payload (JSON, `encodeAgentRuntimePayload`):
 *   `{ "prompt": string, "sessionAttributes": Record<string, string>, "history"?: [{ "role": "user" | "assistant",
 *   "content": string }], "files"?: ChatMessageFile[], "memory"?: string[] }` (`memory`: what the backend recalled
 *   of the user, AgentCore Memory records relevant to the prompt). `sessionAttributes` use the encoding of Bedrock session
 *   attributes (`encodeSessionAttributes`), so `parseAgentRuntimePayload` gives the agent the same
 *   `SessionDataWithChatUserCustomDataSpreadIn` that `normalizeSessionAttributes` gives an action-group Lambda.
 * - Response: `text/event-stream` with one JSON object per `data:` line —
 *   `{"type":"text","text":"…"}` (an answer delta, `sseText`), `{"type":"usage","inputTokens":n,"outputTokens":n}`
 *   (token usage, `sseUsage`; several are summed), `{"type":"error","message":"…"}` (the agent failed, `sseError`).
 *   Also understood: a JSON string (`data: "delta"`, what BedrockAgentCoreApp sends for a yielded string),
 *   `{"data":"…"}` (a Strands agent's text delta event), `{"error":"…","error_type":"…"}` (BedrockAgentCoreApp's
 *   error event) and non-JSON data (a raw text delta); other JSON objects are `other` (the relay ignores them).
 *   Or `application/json` once: `{"text":"…","usage"?:{inputTokens,outputTokens}}` (or `{"result":…}`).
 *   Any other content type is read as plain text deltas.
 *
 * An AGUI runtime (server protocol AGUI) receives an AG-UI `RunAgentInput` instead (./agentcore-agui.ts):
 * `parseAgentRuntimePayload` reads it too, so a tool gets the same session data whatever the protocol.
 *
 * AgentCore harness (`InvokeHarness`) has no payload of ours: the session context travels as a text block
 * (`sessionContextBlock`) that `parseSessionContextBlock` reads back.
 *
 * No zod and no Node built-ins: this runs in any agent runtime (Node, Bun, Deno, browsers).
 */
import type { ChatMessageFile, SessionDataWithChatUserCustomDataSpreadIn } from '../types/chatbot/chatbot-types';
import { runAgentInputPayload } from './agentcore-agui';
import { encodeSessionAttributes, normalizeSessionAttributes } from './bedrock';

export interface AgentRuntimeHistoryTurn {
    role: 'user' | 'assistant';
    content: string;
}

/**
 * A file of the user's message as an agent receives it: the server's record (ChatMessageFile), where it is
 * (`s3Uri`, readable with the agent's own S3 permissions) and a short-lived HTTPS link to read it without any
 * (`url`, valid until `urlExpiresAt`).
 */
export interface AgentRuntimeFile extends ChatMessageFile {
    s3Uri?: string;
    url?: string;
    urlExpiresAt?: string;
}

/** What the relay sends an AgentCore Runtime agent (the JSON payload of `InvokeAgentRuntime`). */
export interface AgentRuntimePayload {
    prompt: string;
    /** Encoded like Bedrock session attributes (`encodeSessionAttributes`). */
    sessionAttributes: Record<string, string>;
    history?: AgentRuntimeHistoryTurn[];
    files?: AgentRuntimeFile[];
    /** What the backend recalled of this user (AgentCore Memory records relevant to the prompt), most relevant first. */
    memory?: string[];
}

/** What an agent gets from `parseAgentRuntimePayload`. */
export interface ParsedAgentRuntimePayload {
    prompt: string;
    /** The decoded session data: customData spread in, userId/sessionId/chatAppId/agentId, timezone, … */
    session: SessionDataWithChatUserCustomDataSpreadIn;
    /** The attributes as sent (still encoded). */
    sessionAttributes: Record<string, string>;
    history: AgentRuntimeHistoryTurn[];
    files: AgentRuntimeFile[];
    /** Recalled user memory (empty when the chat app has none or nothing was relevant). */
    memory: string[];
}

export class AgentRuntimePayloadError extends Error {
    override readonly name = 'AgentRuntimePayloadError';
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function payloadObject(payload: unknown): Record<string, unknown> {
    let value = payload;
    if (value instanceof Uint8Array || value instanceof ArrayBuffer) value = new TextDecoder().decode(value);
    if (typeof value === 'string') {
        try {
            value = JSON.parse(value);
        } catch {
            throw new AgentRuntimePayloadError('The payload is not JSON');
        }
    }
    if (!isRecord(value)) throw new AgentRuntimePayloadError('The payload is not a JSON object');
    return value;
}

/**
 * Reads the payload an agent received (a parsed object, a JSON string or its UTF-8 bytes): ours or an AG-UI
 * `RunAgentInput` (see ./agentcore-agui.ts). Lenient like
 * `normalizeSessionAttributes`: a missing prompt is '', non-string attributes and malformed history turns are
 * dropped. Throws `AgentRuntimePayloadError` only when the payload is not a JSON object at all.
 */
export function parseAgentRuntimePayload(payload: unknown): ParsedAgentRuntimePayload {
    const received = payloadObject(payload);
    const obj = runAgentInputPayload(received) ?? received;
    const sessionAttributes: Record<string, string> = {};
    if (isRecord(obj.sessionAttributes)) {
        for (const [k, v] of Object.entries(obj.sessionAttributes)) if (typeof v === 'string' && !UNSAFE_KEYS.has(k)) sessionAttributes[k] = v;
    }
    const history = (Array.isArray(obj.history) ? obj.history : []).flatMap((t): AgentRuntimeHistoryTurn[] =>
        isRecord(t) && (t.role === 'user' || t.role === 'assistant') && typeof t.content === 'string' ? [{ role: t.role, content: t.content }] : [],
    );
    const files = (Array.isArray(obj.files) ? obj.files : []).filter(
        (f): f is AgentRuntimeFile => isRecord(f) && typeof f.fileId === 'string' && typeof f.s3Key === 'string',
    );
    // An AG-UI run without our forwardedProps: the session context block of its `context`, if any.
    const contextBlock = obj === received || Object.keys(sessionAttributes).length ? undefined : parseSessionContextBlock(String(obj.sessionContext ?? ''));
    return {
        prompt: typeof obj.prompt === 'string' ? obj.prompt : '',
        session: contextBlock ?? normalizeSessionAttributes(sessionAttributes),
        sessionAttributes,
        history,
        files,
        memory: (Array.isArray(obj.memory) ? obj.memory : []).filter((m): m is string => typeof m === 'string'),
    };
}

export interface EncodeAgentRuntimePayloadInput {
    prompt: string;
    /** Already-encoded attributes (what the relay sends classic agents), or … */
    sessionAttributes?: Record<string, string>;
    /** … the session data, encoded here with `encodeSessionAttributes`. */
    sessionData?: Record<string, unknown>;
    history?: AgentRuntimeHistoryTurn[];
    files?: AgentRuntimeFile[];
    memory?: string[];
}

/** The relay side: the JSON payload text for `InvokeAgentRuntime` (`history`/`files` only when non-empty). */
export function encodeAgentRuntimePayload(input: EncodeAgentRuntimePayloadInput): string {
    const payload: AgentRuntimePayload = {
        prompt: input.prompt,
        sessionAttributes: input.sessionAttributes ?? encodeSessionAttributes(input.sessionData ?? {}),
        ...(input.history?.length ? { history: input.history.map((t) => ({ role: t.role, content: t.content })) } : {}),
        ...(input.files?.length ? { files: input.files } : {}),
        ...(input.memory?.length ? { memory: input.memory } : {}),
    };
    return JSON.stringify(payload);
}

export interface AgentRuntimeUsage {
    inputTokens: number;
    outputTokens: number;
}

const sse = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

/** One answer delta as an SSE event: `data: {"type":"text","text":"…"}`. */
export const sseText = (delta: string): string => sse({ type: 'text', text: delta });

/** Token usage as an SSE event: `data: {"type":"usage","inputTokens":n,"outputTokens":n}`. */
export const sseUsage = (usage: AgentRuntimeUsage): string => sse({ type: 'usage', inputTokens: usage.inputTokens, outputTokens: usage.outputTokens });

/** A failure as an SSE event: `data: {"type":"error","message":"…"}`; the relay ends the turn as failed. */
export const sseError = (message: string): string => sse({ type: 'error', message });

/** An event of an agent's answer, as the relay reads it. */
export type AgentRuntimeStreamEvent =
    | { type: 'text'; text: string }
    | { type: 'usage'; inputTokens: number; outputTokens: number }
    | { type: 'error'; message: string; errorType?: string }
    | { type: 'other'; value: unknown };

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

function usageOf(v: unknown): AgentRuntimeUsage | undefined {
    if (!isRecord(v) || (typeof v.inputTokens !== 'number' && typeof v.outputTokens !== 'number')) return undefined;
    return { inputTokens: count(v.inputTokens), outputTokens: count(v.outputTokens) };
}

/** Reads the data of one SSE event (see the contract above). */
export function parseAgentRuntimeSseData(data: string): AgentRuntimeStreamEvent {
    let value: unknown;
    try {
        value = JSON.parse(data);
    } catch {
        return { type: 'text', text: data };
    }
    if (typeof value === 'string') return { type: 'text', text: value };
    if (isRecord(value)) {
        if (value.type === 'text' && typeof value.text === 'string') return { type: 'text', text: value.text };
        if (value.type === 'usage') return { type: 'usage', ...(usageOf(value) ?? { inputTokens: 0, outputTokens: 0 }) };
        if (value.type === 'error') return { type: 'error', message: typeof value.message === 'string' ? value.message : 'The agent failed' };
        // Strands agents streamed by BedrockAgentCoreApp: text deltas are the events' `data` (other events are ignored).
        if (typeof value.data === 'string' && value.type === undefined) return { type: 'text', text: value.data };
        if (typeof value.error === 'string' && value.type === undefined) {
            return { type: 'error', message: value.error, ...(typeof value.error_type === 'string' ? { errorType: value.error_type } : {}) };
        }
    }
    return { type: 'other', value };
}

/** Reads an `application/json` answer: `{ text, usage? }`, `{ result }` (a string or a message), or a string. */
export function parseAgentRuntimeJsonAnswer(value: unknown): { text: string; usage?: AgentRuntimeUsage } {
    if (typeof value === 'string') return { text: value };
    if (isRecord(value)) {
        const usage = usageOf(value.usage);
        if (typeof value.text === 'string') return { text: value.text, ...(usage ? { usage } : {}) };
        const result = value.result;
        if (typeof result === 'string') return { text: result, ...(usage ? { usage } : {}) };
        if (isRecord(result) && Array.isArray(result.content)) {
            const text = result.content.map((c) => (isRecord(c) && typeof c.text === 'string' ? c.text : '')).join('');
            return { text, ...(usage ? { usage } : {}) };
        }
    }
    return { text: JSON.stringify(value) };
}

/**
 * An incremental Server-Sent Events parser over decoded text: `push` returns the data of every event completed
 * so far (multi-line `data:` joined with '\n'), `end` the data of a last event without its blank line.
 * Comments (`:`) and `event:`/`id:`/`retry:` fields are ignored; CRLF, CR and LF line ends are accepted.
 */
export function createSseParser(): { push(text: string): string[]; end(): string[] } {
    let buffer = '';
    let data: string[] = [];
    const line = (l: string, out: string[]) => {
        if (l === '') {
            if (data.length) out.push(data.join('\n'));
            data = [];
        } else if (l.startsWith('data:')) {
            data.push(l.slice(l.startsWith('data: ') ? 6 : 5));
        }
    };
    return {
        push(text) {
            buffer += text;
            const out: string[] = [];
            let m: RegExpExecArray | null;
            const re = /\r\n|\r(?!$)|\n/g;
            let start = 0;
            while ((m = re.exec(buffer))) {
                line(buffer.slice(start, m.index), out);
                start = m.index + m[0].length;
            }
            buffer = buffer.slice(start);
            return out;
        },
        end() {
            const out: string[] = [];
            if (buffer) line(buffer.replace(/\r$/, ''), out);
            buffer = '';
            line('', out);
            return out;
        },
    };
}

/**
 * JSON for a text block: `<`, `>`, `&`, U+2028 and U+2029 written as `\u` escapes, so no value — whatever its
 * source: custom data, a file name, a memory record — can close a block early or open another one; JSON.parse
 * reads every value back unchanged.
 */
function blockJson(value: unknown): string {
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const CONTEXT_OPEN = '<session_context format="json">';
const CONTEXT_CLOSE = '</session_context>';

/**
 * The session context for an AgentCore harness, as one text block: the decoded session data (the same data a
 * classic agent gets as session attributes, private attributes already removed by the caller) as JSON between
 * `<session_context format="json">` and `</session_context>` (`<`, `>`, `&` escaped in the JSON, as in every block).
 */
export function sessionContextBlock(sessionAttributes: Record<string, string>): string {
    const data = { ...normalizeSessionAttributes(sessionAttributes) };
    for (const k of Object.keys(data)) if (data[k] === undefined) delete data[k];
    return `${CONTEXT_OPEN}\n${blockJson(data)}\n${CONTEXT_CLOSE}`;
}

/** The session data of the first context block in `text`, or undefined when there is none (or it is malformed). */
export function parseSessionContextBlock(text: string): SessionDataWithChatUserCustomDataSpreadIn | undefined {
    const start = text.indexOf(CONTEXT_OPEN);
    const end = text.indexOf(CONTEXT_CLOSE, start + CONTEXT_OPEN.length);
    if (start < 0 || end < 0) return undefined;
    try {
        const value: unknown = JSON.parse(text.slice(start + CONTEXT_OPEN.length, end));
        if (!isRecord(value)) return undefined;
        const safe: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) if (!UNSAFE_KEYS.has(k)) safe[k] = v;
        const str = (v: unknown) => (typeof v === 'string' ? v : '');
        return {
            ...safe,
            userId: str(safe.userId),
            sessionId: str(safe.sessionId),
            chatAppId: str(safe.chatAppId),
            agentId: str(safe.agentId),
        } as SessionDataWithChatUserCustomDataSpreadIn;
    } catch {
        return undefined;
    }
}

const FILES_OPEN = '<attached_files format="json">';
const FILES_CLOSE = '</attached_files>';

/**
 * The files of the user's message for an AgentCore harness, as one text block: a JSON array of
 * `AgentRuntimeFile` (name, type, size, S3 URI, short-lived link) between `<attached_files format="json">` and
 * `</attached_files>`. `parseAttachedFilesBlock` reads it back.
 */
export function attachedFilesBlock(files: AgentRuntimeFile[]): string {
    const list = files.map((f) => ({
        fileId: f.fileId,
        fileName: f.fileName,
        mimeType: f.mimeType,
        size: f.size,
        s3Key: f.s3Key,
        uploadDate: f.uploadDate,
        s3Uri: f.s3Uri,
        url: f.url,
        urlExpiresAt: f.urlExpiresAt,
    }));
    return `${FILES_OPEN}\n${blockJson(list)}\n${FILES_CLOSE}`;
}

/** The files of the first attached-files block in `text` ([] when there is none or it is malformed). */
export function parseAttachedFilesBlock(text: string): AgentRuntimeFile[] {
    const start = text.indexOf(FILES_OPEN);
    const end = text.indexOf(FILES_CLOSE, start + FILES_OPEN.length);
    if (start < 0 || end < 0) return [];
    try {
        const value: unknown = JSON.parse(text.slice(start + FILES_OPEN.length, end));
        return Array.isArray(value)
            ? value.filter((f): f is AgentRuntimeFile => isRecord(f) && typeof f.fileId === 'string' && typeof f.fileName === 'string')
            : [];
    } catch {
        return [];
    }
}

/** True when a text block is an attached-files block (not the user's words). */
export const isAttachedFilesBlock = (text: string): boolean => text.trimStart().startsWith(FILES_OPEN);

/** True when a text block is a session context block (the harness emulator and relays skip it as user words). */
export const isSessionContextBlock = (text: string): boolean => text.trimStart().startsWith(CONTEXT_OPEN);

const MEMORY_OPEN = '<user_memory format="json">';
const MEMORY_CLOSE = '</user_memory>';

/**
 * Recalled user memory as one text block (harness messages; classic and inline agents get it as the prompt
 * session attribute `userMemory`): the records' contents, most relevant first, as a JSON array between
 * `<user_memory format="json">` and `</user_memory>`.
 */
export function userMemoryBlock(memory: string[]): string {
    return `${MEMORY_OPEN}\n${blockJson(memory)}\n${MEMORY_CLOSE}`;
}

/** The memory of the first user memory block in `text` ([] when there is none or it is malformed). */
export function parseUserMemoryBlock(text: string): string[] {
    const start = text.indexOf(MEMORY_OPEN);
    const end = text.indexOf(MEMORY_CLOSE, start + MEMORY_OPEN.length);
    if (start < 0 || end < 0) return [];
    try {
        const value: unknown = JSON.parse(text.slice(start + MEMORY_OPEN.length, end));
        return Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string') : [];
    } catch {
        return [];
    }
}

/** True when a text block is a user memory block (not the user's words). */
export const isUserMemoryBlock = (text: string): boolean => text.trimStart().startsWith(MEMORY_OPEN);
