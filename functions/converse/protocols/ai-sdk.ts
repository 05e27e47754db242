/**
 * The Vercel AI SDK's UI message stream v1 as an execution mode of the converse turn (docs/converse.md#client-protocols):
 * the chat request becomes a converse request (its newest user message is the turn; the chat id the
 * conversation), and the pipeline's events are framed as UI message chunks. Nothing of the turn is here.
 */
import { AI_SDK_PROTOCOL, type AiSdkChatRequest } from 'pika-shared/schemas';
import type { FrameEncoder, TurnEvent } from '../../http/sse';
import { aiSdkToolResults } from './tool-answers';
import { type ProtocolTurn, protocolTurn, type TurnEventData, textBlocks, turnText } from './turn';

export { AI_SDK_PROTOCOL };

/** The response headers `DefaultChatTransport` expects (ai's UI_MESSAGE_STREAM_HEADERS). */
export const AI_SDK_HEADERS = { 'x-vercel-ai-ui-message-stream': 'v1', 'x-protocol': AI_SDK_PROTOCOL };

/**
 * The converse request of a chat request: its newest user message, keyed by that message's id for a retry — or,
 * when the newest message is the assistant's with answered client tool parts, those answers (./tool-answers.ts).
 */
export function aiSdkTurn(req: AiSdkChatRequest): ProtocolTurn {
  const fields = { conversationId: req.id, chatAppId: req.chatAppId, agentId: req.agentId, timezone: req.timezone };
  const toolResults = aiSdkToolResults(req);
  if (toolResults) return protocolTurn(fields, { toolResults });
  const index = req.messages.findLastIndex((m) => m.role === 'user');
  const message = index < 0 ? undefined : req.messages[index];
  const parts = message?.parts ?? [];
  const text = turnText(
    index < 0 ? 'body.messages' : `body.messages.${index}.parts`,
    parts.map((p) => (p.type === 'text' ? { text: p.text ?? '' } : p.type === 'file' ? { unsupported: 'file' } : {})),
  );
  // A regenerated answer is a new turn for the same question: the message id would replay the first answer.
  const messageId = req.trigger !== 'regenerate-message' ? message?.id : undefined;
  return protocolTurn({ ...fields, messageId }, { text });
}

const chunk = (value: Record<string, unknown>) => `data: ${JSON.stringify(value)}\n\n`;
const DONE = 'data: [DONE]\n\n';

/**
 * The events of one turn as UI message chunks: `start` (session ids as message metadata) and `start-step`, text parts, tool
 * calls (provider-executed dynamic tools: name and outcome, never input or output), `data-verification` /
 * `data-retry` / `data-trace` parts, then `finish` (usage, message id) or `abort` (stopped) or `error`, and [DONE].
 */
export function aiSdkEncoder(): FrameEncoder {
  const text = textBlocks({
    start: (id) => chunk({ type: 'text-start', id }),
    delta: (id, delta) => chunk({ type: 'text-delta', id, delta }),
    end: (id) => chunk({ type: 'text-end', id }),
  });
  let sessionMeta: Record<string, unknown> = {};
  return (event: TurnEvent, data: unknown) => {
    const d = data as TurnEventData;
    switch (event) {
      case 'session':
        sessionMeta = { sessionId: d.sessionId, userMessageId: d.userMessageId };
        // One step per stream: a turn resumed after a tool request continues the same message in a step of its own.
        return chunk({ type: 'start', messageMetadata: sessionMeta }) + chunk({ type: 'start-step' });
      case 'chunk':
        return text.delta(d.text ?? '');
      case 'tool':
        if (d.phase === 'use')
          return (
            text.close() + chunk({ type: 'tool-input-available', toolCallId: d.toolUseId, toolName: d.name, input: {}, providerExecuted: true, dynamic: true })
          );
        return d.status === 'error'
          ? chunk({ type: 'tool-output-error', toolCallId: d.toolUseId, errorText: 'The tool failed', providerExecuted: true, dynamic: true })
          : chunk({ type: 'tool-output-available', toolCallId: d.toolUseId, output: { status: d.status ?? 'success' }, providerExecuted: true, dynamic: true });
      case 'tool_request':
        // A client tool is a call for addToolOutput; an approval is answered with addToolApprovalResponse.
        return (
          text.close() +
          chunk({ type: 'tool-input-available', toolCallId: d.toolCallId, toolName: d.name, input: d.input ?? {} }) +
          (d.kind === 'approval' ? chunk({ type: 'tool-approval-request', approvalId: d.toolCallId, toolCallId: d.toolCallId }) : '')
        );
      case 'trace':
        return chunk({ type: 'data-trace', data, transient: true });
      case 'verification':
        // One part per answer: the grade of a retried answer replaces the first one's.
        return text.close() + chunk({ type: 'data-verification', id: 'verification', data: { grade: d.grade, reason: d.reason } });
      case 'retry':
        return text.close() + chunk({ type: 'data-retry', data: { grade: d.grade, reason: d.reason } });
      case 'done': {
        const metadata = {
          ...sessionMeta,
          messageId: d.messageId,
          usage: d.usage,
          ...(d.cancelled ? { cancelled: true } : {}),
          ...(d.replayed ? { replayed: true } : {}),
          ...(d.deferred ? { deferred: true } : {}),
          ...(d.awaitingClient ? { awaitingClient: true } : {}),
        };
        const end = d.cancelled
          ? chunk({ type: 'abort', reason: 'cancelled' })
          : chunk({ type: 'finish', finishReason: d.awaitingClient ? 'tool-calls' : 'stop', messageMetadata: metadata });
        return text.close() + (d.cancelled ? chunk({ type: 'message-metadata', messageMetadata: metadata }) : '') + end + DONE;
      }
      case 'error':
        return (
          text.close() +
          chunk({ type: 'error', errorText: String(d.message ?? 'The answer failed') }) +
          chunk({ type: 'finish', finishReason: 'error', messageMetadata: { ...sessionMeta, error: { code: d.code } } }) +
          DONE
        );
    }
  };
}
