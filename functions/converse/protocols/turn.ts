/** What the client protocols share: a protocol request as the converse request the pipeline runs, and text blocks. */
import { randomUUID } from 'node:crypto';
import { idSchema, MESSAGE_MAX } from 'pika-shared/schemas';
import type { ConverseToolResult, ToolRequestKind } from 'pika-shared/types/chatbot/chatbot-types';
import { ConverseError } from '../errors';
import type { ConverseBody } from '../prepare';

/** A protocol request, translated: the converse body and the client's conversation id (prepare.ts PrepareOptions). */
export interface ProtocolTurn {
  body: ConverseBody;
  conversationId: string;
  /** The body's toolResults come from the library's resent history (./tool-answers.ts). */
  toolResultsFromHistory?: boolean;
}

/** What a protocol request says of the turn, beside its text. */
export interface TurnFields {
  conversationId: string;
  chatAppId: string;
  agentId?: string | undefined;
  timezone?: string | undefined;
  /** The newest user message's id: the idempotency key when it is a valid one (else the request has none). */
  messageId?: string | undefined;
}

/** The converse request of a protocol request: the newest user message's text, or the client's answers to tool requests. */
export function protocolTurn(fields: TurnFields, turn: { text: string } | { toolResults: ConverseToolResult[] }): ProtocolTurn {
  const key = 'text' in turn && fields.messageId !== undefined && idSchema.safeParse(fields.messageId).success ? fields.messageId : undefined;
  return {
    conversationId: fields.conversationId,
    ...('toolResults' in turn ? { toolResultsFromHistory: true } : {}),
    body: {
      chatAppId: fields.chatAppId,
      ...('text' in turn ? { message: turn.text } : { toolResults: turn.toolResults }),
      ...(fields.agentId ? { agentId: fields.agentId } : {}),
      ...(fields.timezone ? { timezone: fields.timezone } : {}),
      ...(key ? { clientMessageId: key } : {}),
    },
  };
}

/**
 * The text of the newest user message from its parts: text parts joined; a part the turn cannot carry (a file:
 * upload it with POST /sessions/{sessionId}/files and use /converse) is a 400; other parts are the client's own.
 */
export function turnText(path: string, parts: { text?: string; unsupported?: string }[]): string {
  const unsupported = parts.findIndex((p) => p.unsupported);
  if (unsupported >= 0)
    throw new ConverseError('VALIDATION_FAILED', `A ${parts[unsupported]!.unsupported} part cannot be sent here`, [
      { path: `${path}.${unsupported}`, message: 'only text parts' },
    ]);
  const text = parts
    .filter((p) => p.text !== undefined)
    .map((p) => p.text)
    .join('\n');
  if (!text.trim())
    throw new ConverseError('VALIDATION_FAILED', 'The newest user message has no text', [{ path, message: 'a user message with text is required' }]);
  if (text.length > MESSAGE_MAX)
    throw new ConverseError('VALIDATION_FAILED', `The message is longer than ${MESSAGE_MAX} characters`, [
      { path, message: `at most ${MESSAGE_MAX} characters` },
    ]);
  return text;
}

/** The fields of the pipeline's events an encoder reads (docs/converse.md#the-stream: each event has some of them). */
export interface TurnEventData {
  sessionId?: string;
  userMessageId?: string;
  messageId?: string;
  text?: string;
  phase?: 'use' | 'result';
  toolUseId?: string;
  /** A `tool_request`: the call the agent hands to the client. */
  toolCallId?: string;
  input?: Record<string, unknown>;
  kind?: ToolRequestKind;
  awaitingClient?: boolean;
  name?: string;
  status?: string;
  grade?: string | null;
  reason?: string;
  usage?: { inputTokens: number; outputTokens: number };
  cancelled?: boolean;
  replayed?: boolean;
  deferred?: boolean;
  code?: string;
  message?: string;
}

/**
 * An answer's text as the protocols frame it: blocks with an id of their own, opened at the first delta and
 * closed before anything else (a tool call, the end); `close()` is '' when none is open.
 */
export function textBlocks(frames: { start: (id: string) => string; delta: (id: string, text: string) => string; end: (id: string) => string }) {
  let id: string | undefined;
  return {
    delta(text: string): string {
      if (!text) return '';
      const open = id ? '' : frames.start((id = randomUUID()));
      return open + frames.delta(id, text);
    },
    close(): string {
      if (!id) return '';
      const out = frames.end(id);
      id = undefined;
      return out;
    },
  };
}
