/**
 * AG-UI 1.0 as an execution mode of the converse turn (docs/converse.md#client-protocols): RunAgentInput becomes
 * a converse request (its newest user message is the turn; `threadId` the conversation; `forwardedProps` the
 * chat app), and the pipeline's events are framed as AG-UI events. Nothing of the turn is here.
 */
import { randomUUID } from 'node:crypto';
import { AG_UI_PROTOCOL, type AgUiRunInput } from 'pika-shared/schemas';
import type { FrameEncoder, TurnEvent } from '../../http/sse';
import { agUiToolResults } from './tool-answers';
import { type ProtocolTurn, protocolTurn, type TurnEventData, textBlocks, turnText } from './turn';

export { AG_UI_PROTOCOL };

/** The response header naming the protocol (the OpenAPI document's `x-protocol`). */
export const AG_UI_HEADERS = { 'x-protocol': AG_UI_PROTOCOL };

/** The converse request of a run: the newest user message, keyed by its id for a retry — or the run's answers to tool requests. */
export function agUiTurn(input: AgUiRunInput): ProtocolTurn {
  const props = input.forwardedProps;
  const fields = { conversationId: input.threadId, chatAppId: props.chatAppId, agentId: props.agentId, timezone: props.timezone };
  const toolResults = agUiToolResults(input);
  if (toolResults) return protocolTurn(fields, { toolResults });
  const index = input.messages.findLastIndex((m) => m.role === 'user');
  const message = index < 0 ? undefined : input.messages[index];
  const content = message?.content;
  const parts =
    typeof content === 'string'
      ? [{ text: content }]
      : ((content ?? []).map((p) => (p.type === 'text' ? { text: p.text ?? '' } : { unsupported: p.type })) as { text?: string; unsupported?: string }[]);
  const text = turnText(index < 0 ? 'body.messages' : `body.messages.${index}.content`, parts);
  return protocolTurn({ ...fields, messageId: message?.id }, { text });
}

const frame = (value: Record<string, unknown>) => `data: ${JSON.stringify(value)}\n\n`;
const custom = (name: string, value: unknown) => frame({ type: 'CUSTOM', name, value });

/**
 * The events of one turn as AG-UI events: RUN_STARTED and CUSTOM `pika.session`, TEXT_MESSAGE_START / CONTENT /
 * END, TOOL_CALL_START / END / RESULT (name and outcome, never input or output), CUSTOM `pika.verification`,
 * `pika.retry`, `pika.trace`, `pika.done` (usage, message id), then RUN_FINISHED — or RUN_ERROR and nothing after.
 */
export function agUiEncoder(run: { threadId: string; runId: string }): FrameEncoder {
  const text = textBlocks({
    start: (messageId) => frame({ type: 'TEXT_MESSAGE_START', messageId, role: 'assistant' }),
    delta: (messageId, delta) => frame({ type: 'TEXT_MESSAGE_CONTENT', messageId, delta }),
    end: (messageId) => frame({ type: 'TEXT_MESSAGE_END', messageId }),
  });
  // The run's tool requests: RUN_FINISHED's interrupt outcome lists them (answered by the next run's `resume`).
  const interrupts: Record<string, unknown>[] = [];
  return (event: TurnEvent, data: unknown) => {
    const d = data as TurnEventData;
    switch (event) {
      case 'session':
        return frame({ type: 'RUN_STARTED', threadId: run.threadId, runId: run.runId }) + custom('pika.session', data);
      case 'chunk':
        return text.delta(d.text ?? '');
      case 'tool':
        if (d.phase === 'use')
          return (
            text.close() +
            frame({ type: 'TOOL_CALL_START', toolCallId: d.toolUseId, toolCallName: d.name }) +
            frame({ type: 'TOOL_CALL_END', toolCallId: d.toolUseId })
          );
        return frame({
          type: 'TOOL_CALL_RESULT',
          messageId: randomUUID(),
          toolCallId: d.toolUseId,
          content: JSON.stringify({ status: d.status ?? 'success' }),
          role: 'tool',
        });
      case 'tool_request':
        interrupts.push({
          id: d.toolCallId,
          reason: d.kind === 'approval' ? 'tool_approval' : 'client_tool',
          toolCallId: d.toolCallId,
          message: d.kind === 'approval' ? `Approve ${d.name}?` : `Run ${d.name} and send its result`,
        });
        return (
          text.close() +
          frame({ type: 'TOOL_CALL_START', toolCallId: d.toolCallId, toolCallName: d.name }) +
          frame({ type: 'TOOL_CALL_ARGS', toolCallId: d.toolCallId, delta: JSON.stringify(d.input ?? {}) }) +
          frame({ type: 'TOOL_CALL_END', toolCallId: d.toolCallId })
        );
      case 'trace':
        return custom('pika.trace', data);
      case 'verification':
        return text.close() + custom('pika.verification', { grade: d.grade, reason: d.reason });
      case 'retry':
        return text.close() + custom('pika.retry', { grade: d.grade, reason: d.reason });
      case 'done': {
        const usage = d.usage
          ? [{ inputTokens: d.usage.inputTokens, outputTokens: d.usage.outputTokens, totalTokens: d.usage.inputTokens + d.usage.outputTokens }]
          : undefined;
        return (
          text.close() +
          custom('pika.done', data) +
          frame({
            type: 'RUN_FINISHED',
            threadId: run.threadId,
            runId: run.runId,
            result: { sessionId: d.sessionId, messageId: d.messageId },
            outcome: d.cancelled ? { type: 'cancelled' } : d.awaitingClient && interrupts.length ? { type: 'interrupt', interrupts } : { type: 'success' },
            ...(usage ? { usage } : {}),
          })
        );
      }
      case 'error':
        return text.close() + frame({ type: 'RUN_ERROR', message: String(d.message ?? 'The run failed'), code: d.code });
    }
  };
}
