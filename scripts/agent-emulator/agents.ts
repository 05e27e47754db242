/**
 * The emulator's built-in agents. Each turns a request into a script of steps; the server writes each step
 * as a frame when it is produced. Usage is deterministic so tests can assert exact numbers:
 * inputTokens = 10 + ceil(len(inputText) / 4), outputTokens = ceil(len(answer) / 4).
 */
import { randomUUID } from 'node:crypto';
import { recallAnswer, type Turn } from './sessions';
import { filesAnswer, type ReceivedFile } from './files';

export type Step =
  | { kind: 'trace'; trace: Record<string, unknown> }
  | { kind: 'chunk'; text: string }
  | { kind: 'exception'; type: string; message: string }
  | { kind: 'sleep'; ms: number }
  /** A chunk of raw answer bytes: may end in the middle of a multi-byte character. */
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'hang' }
  /** Return of control: the `returnControl` event (the agent then waits for the caller's results). */
  | { kind: 'returnControl'; payload: { invocationId: string; invocationInputs: unknown[] } };

export interface AgentRequest {
  agentId: string;
  inputText: string;
  sessionAttributes: Record<string, string>;
  streamFinalResponse: boolean;
  enableTrace: boolean;
  /** `sessionState.conversationHistory` / `inlineSessionState.conversationHistory`, as turns. */
  history: Turn[];
  /** What the provider session remembers from earlier calls (empty for a new or expired session). */
  remembered: Turn[];
  /** How long `silent` waits before answering. */
  silentMs: number;
  /** The user memory given (the `userMemory` prompt session attribute, a user memory block). */
  memory?: string[];
  /** `sessionState.files` / `inlineSessionState.files` received (./files.ts). */
  files?: ReceivedFile[];
  /** `sessionState.returnControlInvocationResults` (checked against the session's pending invocation). */
  returnControlResults?: any[];
}

export const inputTokensFor = (inputText: string) => 10 + Math.ceil(inputText.length / 4);
export const outputTokensFor = (answer: string) => Math.ceil(answer.length / 4);
/** `You said: <input>`, and the user memory the agent was given, if any: ` [memory: a | b]`. */
export const echoAnswer = (inputText: string, memory: string[] = []) => `You said: ${inputText}${memory.length ? ` [memory: ${memory.join(' | ')}]` : ''}`;

/** Splits text into `parts` pieces (at code-point boundaries), never empty ones. */
export function split(text: string, parts: number): string[] {
  const chars = [...text];
  const size = Math.max(1, Math.ceil(chars.length / parts));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

function usageTraces(req: AgentRequest, answer: string): Step[] {
  if (!req.enableTrace) return [];
  const traceId = `trace-${req.agentId}-0`;
  return [
    { kind: 'trace', trace: { orchestrationTrace: { modelInvocationInput: { traceId, type: 'ORCHESTRATION', text: '(prompt)' } } } },
    {
      kind: 'trace',
      trace: {
        orchestrationTrace: {
          modelInvocationOutput: {
            traceId,
            rawResponse: { content: '(model output)' },
            metadata: { usage: { inputTokens: inputTokensFor(req.inputText), outputTokens: outputTokensFor(answer) } },
          },
        },
      },
    },
  ];
}

function answerSteps(req: AgentRequest, answer: string): Step[] {
  const pieces = req.streamFinalResponse ? split(answer, Math.min(4, Math.max(3, Math.ceil(answer.length / 40)))) : [answer];
  return [...usageTraces(req, answer), ...pieces.map((text) => ({ kind: 'chunk' as const, text }))];
}

/** The functions the asking agents hand to the caller (an action group with RETURN_CONTROL; one with requireConfirmation). */
export const RETURN_CONTROL = {
  actionGroup: 'orders',
  clientTool: { name: 'lookup_order', input: { orderId: '42' } },
  approval: { name: 'cancel_order', input: { orderId: '42' } },
};

/** Return of control for `fn` (`RESULT`: the caller runs it; `USER_CONFIRMATION`: the caller approves, the action group runs it). */
function returnControl(fn: { name: string; input: Record<string, string> }, type: 'RESULT' | 'USER_CONFIRMATION', agentId: string): Step {
  return {
    kind: 'returnControl',
    payload: {
      invocationId: randomUUID(),
      invocationInputs: [
        {
          functionInvocationInput: {
            actionGroup: RETURN_CONTROL.actionGroup,
            function: fn.name,
            actionInvocationType: type,
            agentId,
            parameters: Object.entries(fn.input).map(([name, value]) => ({ name, type: 'string', value })),
          },
        },
      ],
    },
  };
}

/** What an asking agent says once the caller answered: the function's output, or whether it was confirmed. */
export function returnControlAnswer(results: any[]): string {
  return results
    .map((r) => {
      const f = r?.functionResult ?? r?.apiResult ?? {};
      const name = f.function ?? f.apiPath ?? '?';
      if (f.confirmationState === 'CONFIRM') return `Confirmed: ${name} ran.`;
      if (f.confirmationState === 'DENY') return `Denied: ${name} did not run.`;
      const body = Object.values(f.responseBody ?? {}).map((b: any) => b?.body ?? '')[0] ?? '';
      return f.responseState === 'FAILURE' ? `The caller's ${name} failed: ${body}` : `The caller's ${name} said: ${body}`;
    })
    .join(' ');
}

export const AGENTS: Record<string, (req: AgentRequest) => Step[]> = {
  /** Asks the caller to run lookup_order (return of control), then answers with its output. */
  'ask-client': (req) =>
    req.returnControlResults
      ? answerSteps(req, returnControlAnswer(req.returnControlResults))
      : [...usageTraces(req, ''), returnControl(RETURN_CONTROL.clientTool, 'RESULT', req.agentId)],
  /** Asks the caller to confirm cancel_order (requireConfirmation), then says what happened. */
  'ask-approval': (req) =>
    req.returnControlResults
      ? answerSteps(req, returnControlAnswer(req.returnControlResults))
      : [...usageTraces(req, ''), returnControl(RETURN_CONTROL.approval, 'USER_CONFIRMATION', req.agentId)],
  echo: (req) => answerSteps(req, echoAnswer(req.inputText, req.memory)),
  slow: (req) => answerSteps(req, echoAnswer(req.inputText)),
  'echo-attributes': (req) => answerSteps(req, JSON.stringify(req.sessionAttributes)),
  'echo-files': (req) =>
    answerSteps(
      req,
      filesAnswer(
        req.inputText,
        (req.files ?? []).map((f) => f.name),
      ),
    ),
  faulty: (req) => [
    ...usageTraces(req, 'Partial answer'),
    { kind: 'chunk', text: 'Partial answer' },
    { kind: 'exception', type: 'internalServerException', message: 'The faulty agent failed on purpose' },
  ],
  hang: () => [{ kind: 'chunk', text: 'Thinking' }, { kind: 'hang' }],
  recall: (req) => answerSteps(req, recallAnswer(req.history, req.remembered)),
  silent: (req) => [{ kind: 'sleep', ms: req.silentMs }, ...answerSteps(req, echoAnswer(req.inputText))],
  /** The echo answer's UTF-8 bytes in 5-byte chunks: multi-byte characters are split across chunks. */
  'split-bytes': (req) => {
    const bytes = new TextEncoder().encode(echoAnswer(req.inputText));
    const steps: Step[] = usageTraces(req, echoAnswer(req.inputText));
    for (let i = 0; i < bytes.length; i += 5) steps.push({ kind: 'bytes', bytes: bytes.slice(i, i + 5) });
    return steps;
  },
};

/** Turns of a Bedrock `conversationHistory` ({ messages: [{ role, content: [{ text }] }] }). */
export function turnsOfConversationHistory(history: any): Turn[] {
  const messages: any[] = Array.isArray(history?.messages) ? history.messages : [];
  return messages.flatMap((m) => {
    const text = (Array.isArray(m?.content) ? m.content : []).map((c: any) => (typeof c?.text === 'string' ? c.text : '')).join('');
    return m?.role === 'user' || m?.role === 'assistant' ? [{ role: m.role, content: text } as Turn] : [];
  });
}

/** The deterministic title the emulated Converse model gives a conversation: the user's first words. */
export function titleFor(text: string): string {
  const question = text.replace(/^\s*User:\s*/, '').split(/\n?Assistant:/)[0] ?? '';
  const words = question.replace(/\s+/g, ' ').trim().split(' ').slice(0, 6).join(' ');
  return `About: ${words}`.slice(0, 80);
}
