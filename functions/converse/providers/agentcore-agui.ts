/**
 * An AG-UI server on AgentCore Runtime (server protocol AGUI) as provider events: `InvokeAgentRuntime` with an
 * AG-UI `RunAgentInput` (the contract of `pika-shared/util/agentcore-agui`), and its AG-UI event stream, each
 * event validated with `@ag-ui/core`'s schemas, mapped to ProviderEvents:
 * - TEXT_MESSAGE_CONTENT / TEXT_MESSAGE_CHUNK → chunk (a blank line between two assistant messages of one run);
 * - TOOL_CALL_START + ARGS… + END (or TOOL_CALL_CHUNKs) → tool use; TOOL_CALL_RESULT → tool result;
 * - `usage` of RUN_FINISHED / RUN_ERROR (AG-UI TokenUsage[]) and CUSTOM `usage` → usage;
 * - RUN_FINISHED → the end (a `cancelled` / `interrupt` outcome as the stop reason); RUN_ERROR → AgentRuntimeError;
 * - anything else (RUN_STARTED, steps, state, reasoning, activity, raw, events of a later protocol) is skipped.
 * A stream that ends without RUN_FINISHED or RUN_ERROR, or an answer that is not an event stream, is a failure.
 */
import { randomUUID } from 'node:crypto';
import { type Event as AgUiEvent, EventType, type RunAgentInput } from '@ag-ui/core';
import { EventSchema } from '@ag-ui/core/schemas';
import type { AgentCoreRuntimeRef } from 'pika-shared/types/chatbot/agentcore-types';
import { attachedFilesBlock, createSseParser, sessionContextBlock, userMemoryBlock } from 'pika-shared/util/agentcore';
import { AG_UI_ATTACHED_FILES, AG_UI_SESSION_CONTEXT, AG_UI_USAGE_EVENT, AG_UI_USER_MEMORY, type AgUiForwardedProps } from 'pika-shared/util/agentcore-agui';
import { providerSessionId } from './agentcore';
import { AgentRuntimeError, sendToRuntime } from './agentcore-runtime';
import type { ProviderEvent, ProviderInput } from './events';
import { utf8Stream } from './utf8';

export const AG_UI_ACCEPT = 'text/event-stream';

/** How much of a tool result is kept (evidence for answer verification; never relayed), as for the harness. */
const MAX_TOOL_OUTPUT_CHARS = 4_000;

/** The RunAgentInput of one turn (pika-shared/util/agentcore-agui describes each field). */
export function runAgentInput(input: ProviderInput, runId: string = randomUUID()): RunAgentInput {
  const files = input.files?.map(({ useCase: _classicOnly, ...file }) => file) ?? [];
  const memory = input.memory ?? [];
  const forwardedProps: AgUiForwardedProps = {
    sessionAttributes: input.sessionAttributes,
    ...(files.length ? { files } : {}),
    ...(memory.length ? { memory } : {}),
  };
  return {
    threadId: providerSessionId(input.sessionId),
    runId,
    messages: [
      ...(input.history ?? []).map((t, i) => ({ id: `history-${i}`, role: t.role, content: t.content })),
      { id: `${runId}-user`, role: 'user' as const, content: input.inputText },
    ],
    tools: [],
    context: [
      { description: AG_UI_SESSION_CONTEXT, value: sessionContextBlock(input.sessionAttributes) },
      ...(memory.length ? [{ description: AG_UI_USER_MEMORY, value: userMemoryBlock(memory) }] : []),
      ...(files.length ? [{ description: AG_UI_ATTACHED_FILES, value: attachedFilesBlock(files) }] : []),
    ],
    state: {},
    forwardedProps,
  };
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** The sum of AG-UI TokenUsage entries (or one `{ inputTokens, outputTokens }`), undefined when there is none. */
function usageOf(value: unknown): ProviderEvent | undefined {
  const entries = (Array.isArray(value) ? value : [value]).filter((u): u is Record<string, unknown> => typeof u === 'object' && u !== null);
  if (!entries.some((u) => typeof u.inputTokens === 'number' || typeof u.outputTokens === 'number')) return undefined;
  return {
    type: 'usage',
    inputTokens: entries.reduce((n, u) => n + count(u.inputTokens), 0),
    outputTokens: entries.reduce((n, u) => n + count(u.outputTokens), 0),
  };
}

/** Maps one run's AG-UI events to ProviderEvents; `end()` says whether the run was closed. */
export function agUiEventMapper() {
  const calls = new Map<string, { name: string; args: string }>();
  const notAssistant = new Set<string>();
  let textMessage: string | undefined;
  let wroteText = false;
  let closed = false;
  let lastCall: string | undefined;

  function* text(messageId: string | undefined, delta: string | undefined): Generator<ProviderEvent> {
    if (!delta || (messageId !== undefined && notAssistant.has(messageId))) return;
    // A new message after text of another one: keep the two apart in the stored answer.
    if (wroteText && messageId !== undefined && messageId !== textMessage) yield { type: 'chunk', text: '\n\n' };
    if (messageId !== undefined) textMessage = messageId;
    wroteText = true;
    yield { type: 'chunk', text: delta };
  }

  function* endCall(id: string): Generator<ProviderEvent> {
    const call = calls.get(id);
    if (!call) return;
    calls.delete(id);
    yield { type: 'tool', phase: 'use', toolUseId: id, name: call.name, input: call.args };
  }

  function* map(event: AgUiEvent): Generator<ProviderEvent> {
    if (closed) return;
    switch (event.type) {
      case EventType.TEXT_MESSAGE_START:
        if (event.role && event.role !== 'assistant') notAssistant.add(event.messageId);
        return;
      case EventType.TEXT_MESSAGE_CONTENT:
      case EventType.TEXT_MESSAGE_CHUNK:
        if (event.type === EventType.TEXT_MESSAGE_CHUNK && event.role && event.role !== 'assistant' && event.messageId) notAssistant.add(event.messageId);
        yield* text(event.messageId, event.delta);
        return;
      case EventType.TOOL_CALL_START:
        calls.set(event.toolCallId, { name: event.toolCallName, args: '' });
        lastCall = event.toolCallId;
        return;
      case EventType.TOOL_CALL_ARGS: {
        const call = calls.get(event.toolCallId);
        if (call) call.args += event.delta;
        return;
      }
      case EventType.TOOL_CALL_CHUNK: {
        // Chunks name their call in the first one only; the rest continue the last call.
        const id: string | undefined = event.toolCallId ?? lastCall;
        if (!id) return;
        if (id !== lastCall && lastCall) yield* endCall(lastCall);
        if (!calls.has(id)) calls.set(id, { name: event.toolCallName ?? 'tool', args: '' });
        calls.get(id)!.args += event.delta ?? '';
        lastCall = id;
        return;
      }
      case EventType.TOOL_CALL_END:
        yield* endCall(event.toolCallId);
        return;
      case EventType.TOOL_CALL_RESULT: {
        yield* endCall(event.toolCallId);
        const content = typeof event.content === 'string' ? event.content : JSON.stringify(event.content);
        yield { type: 'tool', phase: 'result', toolUseId: event.toolCallId, status: 'success', output: content.slice(0, MAX_TOOL_OUTPUT_CHARS) };
        return;
      }
      case EventType.CUSTOM: {
        const usage = event.name === AG_UI_USAGE_EVENT ? usageOf(event.value) : undefined;
        if (usage) yield usage;
        return;
      }
      case EventType.RUN_ERROR: {
        closed = true;
        const usage = usageOf(event.usage);
        if (usage) yield usage;
        throw new AgentRuntimeError(event.message || 'The agent failed', event.code);
      }
      case EventType.RUN_FINISHED: {
        for (const id of [...calls.keys()]) yield* endCall(id);
        closed = true;
        const usage = usageOf(event.usage);
        if (usage) yield usage;
        const outcome = event.outcome?.type;
        if (outcome === 'cancelled' || outcome === 'interrupt') yield { type: 'stop', reason: outcome };
        return;
      }
      default:
        return;
    }
  }

  return {
    /** The ProviderEvents of one SSE `data:` (malformed or unknown events are skipped). */
    *push(data: string): Generator<ProviderEvent> {
      let value: unknown;
      try {
        value = JSON.parse(data);
      } catch {
        return;
      }
      const parsed = EventSchema.safeParse(value);
      if (parsed.success) yield* map(parsed.data as AgUiEvent);
    },
    /** True once RUN_FINISHED came: what follows is ignored. */
    closed: () => closed,
    /** Throws unless the run was closed by RUN_FINISHED (RUN_ERROR has thrown already). */
    end(): void {
      if (!closed) throw new AgentRuntimeError('The agent stopped answering before RUN_FINISHED', 'IncompleteRun');
    },
  };
}

/** InvokeAgentRuntime on an AGUI runtime: a RunAgentInput in, its AG-UI events out as ProviderEvents. */
export async function* invokeAgUiRuntime(agent: AgentCoreRuntimeRef, input: ProviderInput): AsyncGenerator<ProviderEvent> {
  const { contentType, chunks } = await sendToRuntime(agent, input, AG_UI_ACCEPT, JSON.stringify(runAgentInput(input)));
  const text = utf8Stream();
  if (!contentType.startsWith('text/event-stream')) {
    let all = '';
    if (chunks)
      for await (const bytes of chunks) {
        all += text.write(bytes);
        if (all.length > 200) break; // enough to say what it was; the rest is not read
      }
    throw new AgentRuntimeError(`The AG-UI agent answered ${contentType || 'without a content type'}, not an event stream: ${all.slice(0, 200)}`);
  }
  const sse = createSseParser();
  const mapper = agUiEventMapper();
  if (chunks)
    for await (const bytes of chunks) {
      for (const data of sse.push(text.write(bytes))) yield* mapper.push(data);
      // Nothing after RUN_FINISHED counts: the connection is released rather than held until the server closes it.
      if (mapper.closed()) return;
    }
  for (const data of [...sse.push(text.end()), ...sse.end()]) yield* mapper.push(data);
  mapper.end();
}
