/**
 * The client's answers to tool requests as the chat libraries send them (docs/converse.md#human-in-the-loop):
 * the AI SDK's answered tool parts of the newest assistant message (addToolOutput / addToolApprovalResponse),
 * AG-UI's trailing `role: "tool"` messages and `resume` entries. They become the converse request's
 * `toolResults`; the libraries resend earlier answers too, so prepare ignores answers to calls no longer pending.
 */
import type { ConverseToolResult } from 'pika-shared/types/chatbot/chatbot-types';
import { type AgUiRunInput, type AiSdkChatRequest, converseToolResultsSchema } from 'pika-shared/schemas';
import { ConverseError } from '../errors';

const textOf = (output: unknown) => (typeof output === 'string' ? output : JSON.stringify(output ?? null));

/** Checked like a /converse request's `toolResults` (the same bounds), with the protocol's own path. */
function checked(results: ConverseToolResult[], path: string): ConverseToolResult[] {
  const parsed = converseToolResultsSchema.safeParse(results);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConverseError('VALIDATION_FAILED', 'A tool answer is not valid', [{ path, message: issue?.message ?? 'invalid' }]);
}

type UiPart = AiSdkChatRequest['messages'][number]['parts'][number] & {
  output?: unknown;
  errorText?: string;
  approval?: { approved?: boolean; reason?: string };
  providerExecuted?: boolean;
};

/** The newest message's answered client tool parts, when it is the assistant's (else undefined: a new question). */
export function aiSdkToolResults(req: AiSdkChatRequest): ConverseToolResult[] | undefined {
  const index = req.messages.length - 1;
  const last = req.messages[index];
  if (last?.role !== 'assistant') return undefined;
  const results = (last.parts as UiPart[]).flatMap((p): ConverseToolResult[] => {
    if (!(p.type.startsWith('tool-') || p.type === 'dynamic-tool') || p.providerExecuted || !p.toolCallId) return [];
    const id = p.toolCallId;
    if (p.state === 'output-available') return [{ toolCallId: id, output: textOf(p.output) }];
    if (p.state === 'output-error') return [{ toolCallId: id, output: String(p.errorText ?? ''), isError: true }];
    if (p.state === 'approval-responded' || p.state === 'output-denied')
      return [
        {
          toolCallId: id,
          approved: p.state === 'approval-responded' && p.approval?.approved === true,
          ...(p.approval?.reason ? { reason: p.approval.reason } : {}),
        },
      ];
    return [];
  });
  return results.length ? checked(results, `body.messages.${index}.parts`) : undefined;
}

type AgUiMessage = AgUiRunInput['messages'][number];

/** The run's answers: `resume` entries, and the `role: "tool"` messages after the newest user message. */
export function agUiToolResults(input: AgUiRunInput): ConverseToolResult[] | undefined {
  const fromResume = (input.resume ?? []).map(
    (r): ConverseToolResult => ({
      toolCallId: r.interruptId,
      ...(r.payload?.output !== undefined ? { output: r.payload.output } : {}),
      // An approval answers `approved`; a cancelled interrupt is a denial (of a client tool: declined).
      ...(r.payload?.output === undefined || r.status === 'cancelled' ? { approved: r.status === 'resolved' && r.payload?.approved !== false } : {}),
      ...(r.payload?.reason ? { reason: r.payload.reason } : {}),
    }),
  );
  const lastUser = input.messages.findLastIndex((m) => m.role === 'user');
  const toolMessages = input.messages
    .slice(lastUser + 1)
    .filter((m): m is AgUiMessage & { toolCallId: string } => m.role === 'tool' && typeof m.toolCallId === 'string')
    .filter((m) => !fromResume.some((r) => r.toolCallId === m.toolCallId))
    .map((m): ConverseToolResult => ({ toolCallId: m.toolCallId, output: typeof m.content === 'string' ? m.content : textOf(m.content) }));
  const results = [...fromResume, ...toolMessages];
  return results.length ? checked(results, input.resume?.length ? 'body.resume' : 'body.messages') : undefined;
}
