/**
 * AG-UI servers on the emulated AgentCore Runtime (server protocol AGUI): each reads the request body as AG-UI's
 * `RunAgentInput` (validated with `@ag-ui/core`'s schema, as an AG-UI server does) and streams AG-UI events as
 * SSE, each `data:` frame written in two halves. The session data comes from `parseAgentRuntimePayload`, which
 * reads a RunAgentInput (pika-shared/util/agentcore-agui). Usage is deterministic (./agents.ts).
 */
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import { inputTokensFor, outputTokensFor, echoAnswer } from './agents';
import { pieces } from './agentcore-harness';
import type { RuntimeRequest, RuntimeScript, RuntimeStep } from './agentcore-runtime';

const SSE = 'text/event-stream; charset=utf-8';

/** The tool the `agui` agent calls, its arguments (streamed in two deltas) and its result. */
export const AG_UI_TOOL = { name: 'lookup_order', args: (prompt: string) => JSON.stringify({ query: prompt }), result: 'Order 42: shipped' };
/** What the `agui` agent says before its tool call; its answer is this, a blank line, then the echo answer. */
export const AG_UI_PREAMBLE = 'Let me look that up.';
export const agUiAnswer = (prompt: string) => `${AG_UI_PREAMBLE}\n\n${echoAnswer(prompt)}`;

/** One AG-UI event as an SSE frame in two writes split at its middle byte (`text`: what it adds to the answer). */
function event(value: Record<string, unknown>, text?: string): RuntimeStep[] {
  const bytes = new TextEncoder().encode(`data: ${JSON.stringify(value)}\n\n`);
  const mid = Math.floor(bytes.length / 2);
  return [
    { kind: 'write', data: bytes.slice(0, mid), ...(text ? { text } : {}) },
    { kind: 'write', data: bytes.slice(mid) },
  ];
}

function textMessage(messageId: string, answer: string): RuntimeStep[] {
  return [
    ...event({ type: 'TEXT_MESSAGE_START', messageId, role: 'assistant' }),
    ...pieces(answer).flatMap((delta) => event({ type: 'TEXT_MESSAGE_CONTENT', messageId, delta }, delta)),
    ...event({ type: 'TEXT_MESSAGE_END', messageId }),
  ];
}

type Run = { threadId: string; runId: string };

/** Validates the body as RunAgentInput; a body that is not one is answered with RUN_ERROR, as an AG-UI server would refuse it. */
function aguiAgent(script: (req: RuntimeRequest, run: Run) => RuntimeStep[]) {
  return (req: RuntimeRequest): RuntimeScript => {
    const input = RunAgentInputSchema.safeParse(req.body);
    if (!input.success) {
      return {
        contentType: SSE,
        steps: event({ type: 'RUN_ERROR', message: `Not a RunAgentInput: ${input.error.issues[0]?.message}`, code: 'INVALID_INPUT' }),
      };
    }
    const run = { threadId: input.data.threadId, runId: input.data.runId };
    return { contentType: SSE, steps: [...event({ type: 'RUN_STARTED', ...run }), ...script(req, run)] };
  };
}

/** Usage as AG-UI 1.0 reports it: one TokenUsage per model (two here, so the relay must sum them). */
function usage(prompt: string, answer: string) {
  const input = inputTokensFor(prompt);
  const output = outputTokensFor(answer);
  return [
    { provider: 'emulator', model: 'planner', inputTokens: input - 5, outputTokens: 1 },
    { provider: 'emulator', model: 'writer', inputTokens: 5, outputTokens: output - 1 },
  ];
}

export const AG_UI_RUNTIME_AGENTS: Record<string, (req: RuntimeRequest) => RuntimeScript> = {
  /** A preamble, a tool call (arguments in two deltas) with its result, the echo answer, usage on RUN_FINISHED. */
  agui: aguiAgent((req, run) => {
    const prompt = req.payload.prompt;
    const args = AG_UI_TOOL.args(prompt);
    const toolCallId = `call-${run.runId}`;
    return [
      ...textMessage(`${run.runId}-m1`, AG_UI_PREAMBLE),
      ...event({ type: 'TOOL_CALL_START', toolCallId, toolCallName: AG_UI_TOOL.name, parentMessageId: `${run.runId}-m1` }),
      ...event({ type: 'TOOL_CALL_ARGS', toolCallId, delta: args.slice(0, 5) }),
      ...event({ type: 'TOOL_CALL_ARGS', toolCallId, delta: args.slice(5) }),
      ...event({ type: 'TOOL_CALL_END', toolCallId }),
      ...event({ type: 'TOOL_CALL_RESULT', messageId: `${run.runId}-t1`, toolCallId, content: AG_UI_TOOL.result, role: 'tool' }),
      ...event({ type: 'STATE_SNAPSHOT', snapshot: { step: 'answered' } }),
      ...textMessage(`${run.runId}-m2`, echoAnswer(prompt)),
      ...event({ type: 'RUN_FINISHED', ...run, usage: usage(prompt, agUiAnswer(prompt)) }),
    ];
  }),
  /** Answers with the session data it decoded from the RunAgentInput (parseAgentRuntimePayload), as JSON. */
  'agui-context': aguiAgent((req, run) => {
    const answer = JSON.stringify({ session: req.payload.session, history: req.payload.history, memory: req.payload.memory });
    return [...textMessage(`${run.runId}-m1`, answer), ...event({ type: 'RUN_FINISHED', ...run })];
  }),
  /** One delta, then RUN_ERROR (with the usage of the call it made). */
  'agui-faulty': aguiAgent((_req, run) => [
    ...textMessage(`${run.runId}-m1`, 'Partial answer'),
    ...event({
      type: 'RUN_ERROR',
      message: 'The faulty AG-UI agent failed on purpose',
      code: 'AGENT_FAILURE',
      usage: [{ inputTokens: 12, outputTokens: 3 }],
    }),
  ]),
  /** Text and RUN_FINISHED, then the connection stays open (until the client goes away or the session is stopped). */
  'agui-linger': aguiAgent((_req, run) => [...textMessage(`${run.runId}-m1`, 'Done early'), ...event({ type: 'RUN_FINISHED', ...run }), { kind: 'hang' }]),
  /** Text, then the stream ends without RUN_FINISHED (a crashed server). */
  'agui-truncated': aguiAgent((_req, run) => [...textMessage(`${run.runId}-m1`, 'Cut short')]),
};
