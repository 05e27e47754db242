/**
 * Human in the loop (docs/converse.md#human-in-the-loop): what an agent asks the client, checked against the
 * chat app's `clientTools`, and the client's answers checked against what the session awaits — before the
 * resumed turn starts, so every mismatch is a 4xx JSON answer.
 */
import type { ChatAppConfig, ConverseToolResult, ToolRequest } from 'pika-shared/types/chatbot/chatbot-types';
import { MAX_TOOL_REQUESTS } from 'pika-shared/schemas';
import type { AwaitingClient, PendingToolCall } from '../data/items';
import { ConverseError } from './errors';
import type { AskEvent, ResumeInput } from './providers/events';

/** A call's arguments as stored on the session until the client answers (a session item stays well under 400 KB). */
const MAX_INPUT_CHARS = 8_000;

/** The pending call of an agent's ask, or the turn's failure when the chat app does not hand that function to its clients. */
export function pendingCallOf(app: ChatAppConfig, ask: AskEvent, asked: number): PendingToolCall {
  const tool = app.clientTools?.find((t) => t.name === ask.name);
  if (!tool) throw new ConverseError('AGENT_ERROR', `The agent asked the client for '${ask.name}', which this chat app does not name in clientTools`);
  if (asked >= MAX_TOOL_REQUESTS) throw new ConverseError('AGENT_ERROR', `The agent asked the client for more than ${MAX_TOOL_REQUESTS} calls at once`);
  if (JSON.stringify(ask.input).length > MAX_INPUT_CHARS)
    throw new ConverseError('AGENT_ERROR', `The agent's call of '${ask.name}' has more than ${MAX_INPUT_CHARS} characters of input`);
  return {
    toolCallId: ask.toolCallId,
    name: ask.name,
    // A Classic confirmation is always an approval; otherwise the chat app says.
    kind: ask.confirm || tool.approval ? 'approval' : 'client-tool',
    input: ask.input,
    ...(ask.provider ? { provider: ask.provider } : {}),
  };
}

/** What the client is told of a pending call (the `tool_request` event, the answer's `metadata.toolRequests`). */
export const toolRequestOf = (call: PendingToolCall): ToolRequest => ({ toolCallId: call.toolCallId, name: call.name, input: call.input, kind: call.kind });

const invalid = (message: string, path: string, detail: string) => new ConverseError('VALIDATION_FAILED', message, [{ path, message: detail }]);

/**
 * The resumed turn's provider input from the client's answers: exactly one answer per pending call, each of
 * the call's kind (an approval says `approved`; a client tool may be declined with `approved: false`).
 * Nothing awaiting = 409; another agent than the one that asked = 400. `fromHistory`: the answers come from a
 * library's resent message history, where answers to earlier calls are expected and ignored.
 */
export function resumeOf(
  awaiting: AwaitingClient | undefined,
  answers: ConverseToolResult[],
  agentId: string,
  opts: { fromHistory?: boolean } = {},
): ResumeInput {
  if (!awaiting) throw new ConverseError('CONFLICT', 'Nothing in this session awaits a tool result', { awaitingToolCallIds: [] });
  if (awaiting.agentId !== agentId) throw invalid('The awaiting answer came from another agent', 'body.agentId', `must be ${awaiting.agentId}`);
  const results = opts.fromHistory ? answers.filter((r) => awaiting.calls.some((c) => c.toolCallId === r.toolCallId)) : answers;
  const seen = new Set<string>();
  const resumed = results.map((r, i) => {
    const call = awaiting.calls.find((c) => c.toolCallId === r.toolCallId);
    const path = `body.toolResults.${i}`;
    if (!call) throw invalid(`No pending tool call has the id ${r.toolCallId}`, `${path}.toolCallId`, 'unknown tool call');
    if (seen.has(r.toolCallId)) throw invalid(`Tool call ${r.toolCallId} is answered twice`, `${path}.toolCallId`, 'duplicate');
    seen.add(r.toolCallId);
    if (call.kind === 'approval' && r.approved === undefined)
      throw invalid(`Tool call ${r.toolCallId} asks for an approval`, `${path}.approved`, 'required for an approval');
    if (call.kind === 'client-tool' && r.approved === true)
      throw invalid(`Tool call ${r.toolCallId} asks for the tool's output, not an approval`, `${path}.approved`, 'give output (or approved: false to decline)');
    // A declined client tool answers the agent as a failed call.
    if (call.kind === 'client-tool' && r.approved === false)
      return { ...call, toolCallId: r.toolCallId, isError: true, output: r.reason ?? 'The user declined to run this function', approved: false };
    return { ...call, ...r };
  });
  const missing = awaiting.calls.filter((c) => !seen.has(c.toolCallId)).map((c) => c.toolCallId);
  if (missing.length) throw invalid(`Every pending tool call needs its answer; missing: ${missing.join(', ')}`, 'body.toolResults', 'incomplete');
  return { ...(awaiting.invocationId ? { invocationId: awaiting.invocationId } : {}), results: resumed };
}

/** A plain message while the agent awaits the client: refused (409), so the agent's question is never dropped silently. */
export function assertNotAwaiting(awaiting: AwaitingClient | undefined): undefined {
  if (!awaiting) return undefined;
  throw new ConverseError('CONFLICT', 'The agent awaits the answers to its tool requests: send toolResults (an approval may be denied)', {
    awaitingToolCallIds: awaiting.calls.map((c) => c.toolCallId),
  });
}

/** What the resumed turn stores as its user message: the answers, no text. */
export const storedResults = (resume: ResumeInput) =>
  resume.results.map((r) => ({
    toolCallId: r.toolCallId,
    name: r.name,
    ...(r.approved !== undefined ? { approved: r.approved } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.output !== undefined ? { output: r.output.slice(0, 2_000) } : {}),
    ...(r.isError ? { isError: true } : {}),
  }));
