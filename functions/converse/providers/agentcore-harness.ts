/**
 * An AgentCore harness (a managed agent loop) as provider events: `InvokeHarness` with the real client, its
 * event stream (message start/stop, content block start/delta/stop, metadata, hook events, errors) turned
 * into `ProviderEvent`s.
 *
 * What is sent:
 * - `runtimeSessionId`: `providerSessionId(chat session id)`; `runtimeUserId`: the caller; `baggage`: the chat's ids.
 * - `messages`: the `history` given (consecutive turns of one role merged, a leading assistant turn and a
 *   trailing unanswered user turn dropped — the harness wants user/assistant alternating, starting with user),
 *   then the user's message.
 * - The session context (`sessionContextBlock`: the session attributes, decoded). A `systemPrompt` replaces the
 *   harness's own, so the context goes there only with a configured `overrides.systemPrompt` (sent first);
 *   otherwise it is the first text block of the user's message.
 * - User memory (the chat app's userMemory): `actorId` (the caller's memory actor, for a harness with memory of
 *   its own) and the recalled records as a `userMemoryBlock` just before the user's words.
 * - The message's files (verified by converse) as one text block (`attachedFilesBlock`: name, type, size, S3 URI and
 *   a short-lived HTTPS link each) before the user's text: the harness's message content models text, tool and
 *   reasoning blocks only, no document or image blocks, so the agent reads a file through a tool (fetch the link).
 * - `overrides`: model id (as a Bedrock model config), allowed tools, max iterations / tokens, timeout.
 */
import { InvokeHarnessCommand, type HarnessMessage, type InvokeHarnessRequest } from '@aws-sdk/client-bedrock-agentcore';
import type { AgentCoreHarnessRef } from 'pika-shared/types/chatbot/agentcore-types';
import { attachedFilesBlock, sessionContextBlock, userMemoryBlock } from 'pika-shared/util/agentcore';
import { agentCoreClient } from '../../models/agentcore';
import { abortable, baggageFor, providerSessionId } from './agentcore';
import type { ProviderInput, ProviderEvent } from './events';
import { inlineCalls, resumeMessages } from './harness-inline';

type Turn = { role: 'user' | 'assistant'; content: string };

/** The history as harness messages: roles alternate, starting with user and ending with assistant. */
export function harnessHistory(history: Turn[]): Turn[] {
  const merged: Turn[] = [];
  for (const t of history) {
    if (!t.content.trim()) continue;
    const last = merged.at(-1);
    if (last?.role === t.role) last.content = `${last.content}\n\n${t.content}`;
    else if (last || t.role === 'user') merged.push({ role: t.role, content: t.content });
  }
  if (merged.at(-1)?.role === 'user') merged.pop();
  return merged;
}

export function harnessRequest(agent: AgentCoreHarnessRef, input: ProviderInput): InvokeHarnessRequest {
  const o = agent.overrides ?? {};
  const context = sessionContextBlock(input.sessionAttributes);
  // Resumed: the paused inline function calls and the client's results, nothing else (./harness-inline.ts).
  const messages: HarnessMessage[] = input.resume
    ? resumeMessages(input.resume)
    : [
        ...harnessHistory(input.history ?? []).map((t): HarnessMessage => ({ role: t.role, content: [{ text: t.content }] })),
        {
          role: 'user',
          content: [
            ...(o.systemPrompt ? [] : [{ text: context }]),
            ...(input.memory?.length ? [{ text: userMemoryBlock(input.memory) }] : []),
            ...(input.files?.length ? [{ text: attachedFilesBlock(input.files) }] : []),
            { text: input.inputText },
          ],
        },
      ];
  const baggage = baggageFor(input.sessionAttributes);
  return {
    harnessArn: agent.harnessArn,
    ...(agent.qualifier ? { qualifier: agent.qualifier } : {}),
    runtimeSessionId: providerSessionId(input.sessionId),
    runtimeUserId: input.userId,
    ...(input.memoryActorId ? { actorId: input.memoryActorId } : {}),
    ...(baggage ? { baggage } : {}),
    ...(input.traceParent ? { traceParent: input.traceParent } : {}),
    messages,
    ...(o.systemPrompt && !input.resume ? { systemPrompt: [{ text: o.systemPrompt }, { text: context }] } : {}),
    ...(o.modelId ? { model: { bedrockModelConfig: { modelId: o.modelId } } } : {}),
    ...(o.allowedTools ? { allowedTools: o.allowedTools } : {}),
    ...(o.maxIterations ? { maxIterations: o.maxIterations } : {}),
    ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}),
    ...(o.timeoutSeconds ? { timeoutSeconds: o.timeoutSeconds } : {}),
  };
}

/** How much of a tool result's content is kept (evidence for answer verification; never relayed). */
const MAX_TOOL_OUTPUT_CHARS = 4_000;

function toolResultText(sofar: string, parts: { text?: string; json?: unknown }[]): string {
  const text = parts.map((p) => (typeof p.text === 'string' ? p.text : p.json !== undefined ? JSON.stringify(p.json) : '')).join('');
  return (sofar + text).slice(0, MAX_TOOL_OUTPUT_CHARS);
}

/** InvokeHarness; yields chunks, tool summaries, usage, hook traces and, last, the stop reason. */
export async function* invokeHarness(agent: AgentCoreHarnessRef, input: ProviderInput): AsyncGenerator<ProviderEvent> {
  const out = await agentCoreClient().send(new InvokeHarnessCommand(harnessRequest(agent, input)), { abortSignal: input.signal });
  if (!out.stream) return;
  let role: string | undefined;
  let stopReason: string | undefined;
  const calls = inlineCalls();
  const open = new Map<
    number,
    | { kind: 'use'; toolUseId: string; name: string; input: string; toolType?: string; serverName?: string }
    | { kind: 'result'; toolUseId: string; status?: 'success' | 'error'; output: string }
  >();
  for await (const e of abortable(out.stream, input.signal)) {
    if (e.messageStart) {
      role = e.messageStart.role;
      open.clear();
    } else if (e.contentBlockStart) {
      const { contentBlockIndex = 0, start } = e.contentBlockStart;
      if (start?.toolUse) {
        const t = start.toolUse;
        open.set(contentBlockIndex, {
          kind: 'use',
          toolUseId: t.toolUseId ?? '',
          name: t.name ?? '',
          input: '',
          ...(t.type ? { toolType: t.type } : {}),
          ...(t.serverName ? { serverName: t.serverName } : {}),
        });
      } else if (start?.toolResult) {
        open.set(contentBlockIndex, {
          kind: 'result',
          toolUseId: start.toolResult.toolUseId ?? '',
          ...(start.toolResult.status ? { status: start.toolResult.status } : {}),
          output: '',
        });
      }
    } else if (e.contentBlockDelta) {
      const { contentBlockIndex = 0, delta } = e.contentBlockDelta;
      if (typeof delta?.text === 'string' && delta.text && role !== 'user') yield { type: 'chunk', text: delta.text };
      else if (delta?.toolUse) {
        const block = open.get(contentBlockIndex);
        if (block?.kind === 'use') block.input += delta.toolUse.input ?? '';
      } else if (delta?.toolResult) {
        const block = open.get(contentBlockIndex);
        if (block?.kind === 'result' && block.output.length < MAX_TOOL_OUTPUT_CHARS) block.output = toolResultText(block.output, delta.toolResult);
      }
    } else if (e.contentBlockStop) {
      const index = e.contentBlockStop.contentBlockIndex ?? 0;
      const block = open.get(index);
      open.delete(index);
      if (block?.kind === 'use') {
        // Held until the harness answers it (a tool it ran) or stops on it (an inline function: an ask).
        calls.used({
          type: 'tool',
          phase: 'use',
          toolUseId: block.toolUseId,
          name: block.name,
          input: block.input,
          ...(block.toolType ? { toolType: block.toolType } : {}),
          ...(block.serverName ? { serverName: block.serverName } : {}),
        });
      } else if (block?.kind === 'result') {
        yield* calls.answered(block.toolUseId);
        yield {
          type: 'tool',
          phase: 'result',
          toolUseId: block.toolUseId,
          ...(block.status ? { status: block.status } : {}),
          ...(block.output ? { output: block.output } : {}),
        };
      }
    } else if (e.messageStop) {
      stopReason = e.messageStop.stopReason ?? stopReason;
    } else if (e.metadata?.usage) {
      yield { type: 'usage', inputTokens: Number(e.metadata.usage.inputTokens ?? 0), outputTokens: Number(e.metadata.usage.outputTokens ?? 0) };
    } else if (e.hookEvent) {
      yield { type: 'trace', trace: { harnessHook: { ...e.hookEvent } } };
    }
    // Modeled errors (internalServerException, validationException, runtimeClientError) are thrown by the SDK.
  }
  // Stopped on calls the harness did not run itself: inline functions, handed to the client.
  yield* stopReason === 'tool_use' ? calls.asks() : calls.unanswered();
  if (stopReason) yield { type: 'stop', reason: stopReason };
}
