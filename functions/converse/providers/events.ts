/**
 * What every provider adapter is given (`ProviderInput`) and yields (`ProviderEvent`): the classic `AgentEvent`s
 * plus AgentCore's tool summaries, usage and stop reason.
 *
 * | event | meaning |
 * |---|---|
 * | `{ type: 'chunk', text }` | answer text, in order; never a broken character (decoded as a stream) |
 * | `{ type: 'trace', trace, usage? }` | classic traces (usage summed from them); harness hook events as `{ harnessHook }` |
 * | `{ type: 'tool', phase: 'use', toolUseId, name, input }` | the agent called a tool (`input`: the JSON text it sent) |
 * | `{ type: 'tool', phase: 'result', toolUseId, status?, output? }` | the tool answered (`success` / `error`); `output`: its text (bounded), for answer verification only, never relayed |
 * | `{ type: 'usage', inputTokens, outputTokens }` | tokens consumed; several may come: add them up |
 * | `{ type: 'stop', reason }` | once, at the end of a harness answer: its last stop reason (`end_turn`, `max_tokens`, …) |
 * | `{ type: 'ask', toolCallId, name, input, confirm?, invocationId?, provider? }` | the agent hands a call to the client (Classic return of control, a harness inline function) and pauses |
 */
import type { ConverseToolResult } from 'pika-shared/types/chatbot/chatbot-types';
import type { PendingToolCall } from '../../data/items';
import type { AgentFile } from '../../files/service';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** What Agents Classic yield (./classic.ts): answer text and traces. */
export type AgentEvent =
  | { type: 'chunk'; text: string }
  | { type: 'trace'; trace: Record<string, unknown>; usage?: { inputTokens: number; outputTokens: number } };

export type ToolEvent =
  | { type: 'tool'; phase: 'use'; toolUseId: string; name: string; input: string; toolType?: string; serverName?: string }
  | { type: 'tool'; phase: 'result'; toolUseId: string; status?: 'success' | 'error'; output?: string };

/** The agent asks the client (human in the loop): `confirm` = it wants an approval; `provider`: what the answer needs sent back. */
export interface AskEvent {
  type: 'ask';
  toolCallId: string;
  name: string;
  input: Record<string, unknown>;
  confirm?: boolean;
  invocationId?: string;
  provider?: Record<string, unknown>;
}

/** The client's answers to a paused invocation, sent instead of the user's words. */
export interface ResumeInput {
  invocationId?: string;
  results: (PendingToolCall & ConverseToolResult)[];
}

export type ProviderEvent = AgentEvent | ToolEvent | AskEvent | ({ type: 'usage' } & TokenUsage) | { type: 'stop'; reason: string };

/** What a provider is sent for one turn, whatever the agent's kind (run.ts `providerInput`). */
export interface ProviderInput {
  /** The chat session id: the provider session id is derived from it (`providerSessionId`). */
  sessionId: string;
  /** The caller (sent as `runtimeUserId`). */
  userId: string;
  inputText: string;
  /** The session attributes as sent to classic agents: private attributes removed, encoded (`sessionAttributesFor`). */
  sessionAttributes: Record<string, string>;
  /** Earlier turns, oldest first. Sent when the provider session may be gone (`needsHistory` in converse/run.ts). */
  history?: { role: 'user' | 'assistant'; content: string }[];
  /** Files of the message (verified, with their S3 URI and a short-lived link): each provider passes them natively. */
  files?: AgentFile[];
  /** Recalled user memory, most relevant first (the chat app's userMemory feature; converse/memory.ts). */
  memory?: string[];
  /** The caller's AgentCore Memory actor id when the chat app has user memory (the harness's `actorId`). */
  memoryActorId?: string;
  signal: AbortSignal;
  /** W3C trace context to pass on (`traceparent`). */
  traceParent?: string;
  /** The client's answers to the invocation that asked (then `inputText` is empty and no history is sent). */
  resume?: ResumeInput;
}
