import {
  isSessionContextBlock,
  isUserMemoryBlock,
  parseUserMemoryBlock,
  parseSessionContextBlock,
  isAttachedFilesBlock,
  parseAttachedFilesBlock,
  type AgentRuntimeFile,
} from 'pika-shared/util/agentcore';
import { randomUUID } from 'node:crypto';
import { filesAnswer } from './files';
import { echoAnswer, inputTokensFor, outputTokensFor, split } from './agents';
import { recallAnswer, type Turn } from './sessions';

// ---------------------------------------------------------------------------------------------- harness

export interface HarnessRequest {
  agent: string;
  /** The user's words: the text blocks of the last user message, session context blocks left out. */
  input: string;
  /** Earlier messages of this call (everything before the last user message), as turns. */
  history: Turn[];
  remembered: Turn[];
  /** The session context block found in the system prompt or the messages, decoded. */
  context: Record<string, unknown> | undefined;
  systemPrompt: string[];
  silentMs: number;
  /** The user memory block's records, if one was sent. */
  memory: string[];
  /** The attached-files block of the last user message (pika-shared/util/agentcore `attachedFilesBlock`). */
  files: AgentRuntimeFile[];
  /** The last message's toolResult blocks (the caller answering inline functions), with their text. */
  toolResults: { toolUseId: string; name: string; text: string; status?: string }[];
  /** Why the toolResults cannot be taken: each must answer a toolUse of the assistant message just before. */
  resumeError?: string;
}

export type HarnessStep =
  | { kind: 'event'; type: string; payload: unknown; text?: string }
  | { kind: 'exception'; type: string; message: string }
  | { kind: 'sleep'; ms: number }
  | { kind: 'hang' };

export const usageEvent = (input: string, answer: string): HarnessStep => {
  const inputTokens = inputTokensFor(input);
  const outputTokens = outputTokensFor(answer);
  return {
    kind: 'event',
    type: 'metadata',
    payload: { usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens }, metrics: { latencyMs: 1 } },
  };
};

export const pieces = (answer: string) => split(answer, Math.min(4, Math.max(3, Math.ceil(answer.length / 40))));

export function textMessage(answer: string, index = 0, parts = pieces(answer)): HarnessStep[] {
  return [
    { kind: 'event', type: 'messageStart', payload: { role: 'assistant' } },
    ...parts.map((text): HarnessStep => ({ kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: { text } }, text })),
    { kind: 'event', type: 'contentBlockStop', payload: { contentBlockIndex: index } },
    { kind: 'event', type: 'messageStop', payload: { stopReason: 'end_turn' } },
  ];
}

export const harnessAnswer = (req: HarnessRequest, answer: string): HarnessStep[] => [...textMessage(answer), usageEvent(req.input, answer)];

/** The tool the `tools` harness calls before answering. */
export const HARNESS_TOOL = { toolUseId: 'tooluse-emulator-1', name: 'lookup_order', result: 'Order 42 shipped yesterday' };

/** An inline function call (return of control): the harness stops with `tool_use` and waits for the caller's toolResult. */
function inlineFunctionCall(req: HarnessRequest, name: string, input: Record<string, string>): HarnessStep[] {
  const json = JSON.stringify(input);
  return [
    { kind: 'event', type: 'messageStart', payload: { role: 'assistant' } },
    {
      kind: 'event',
      type: 'contentBlockStart',
      payload: { contentBlockIndex: 0, start: { toolUse: { toolUseId: `tooluse-${randomUUID()}`, name, type: 'tool_use' } } },
    },
    { kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { toolUse: { input: json } } } },
    { kind: 'event', type: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
    { kind: 'event', type: 'messageStop', payload: { stopReason: 'tool_use' } },
    usageEvent(req.input, json),
  ];
}

/** What an asking harness says once the caller answered its inline function. */
export const inlineFunctionAnswer = (req: HarnessRequest) =>
  req.toolResults.map((r) => (r.status === 'error' ? `The client's ${r.name} failed: ${r.text}` : `The client's ${r.name} said: ${r.text}`)).join(' ');

export const HARNESS_AGENTS: Record<string, (req: HarnessRequest) => HarnessStep[]> = {
  /** Calls the inline function lookup_order (the caller runs it), then answers with its result. */
  'ask-client': (req) => (req.toolResults.length ? harnessAnswer(req, inlineFunctionAnswer(req)) : inlineFunctionCall(req, 'lookup_order', { orderId: '42' })),
  /** Calls the inline function cancel_order (a chat app may have its clients approve it), then says what it heard. */
  'ask-approval': (req) =>
    req.toolResults.length ? harnessAnswer(req, inlineFunctionAnswer(req)) : inlineFunctionCall(req, 'cancel_order', { orderId: '42' }),
  echo: (req) => harnessAnswer(req, echoAnswer(req.input, req.memory)),
  'echo-files': (req) =>
    harnessAnswer(
      req,
      filesAnswer(
        req.input,
        req.files.map((f) => f.fileName),
      ),
    ),
  slow: (req) => harnessAnswer(req, echoAnswer(req.input)),
  recall: (req) => harnessAnswer(req, recallAnswer(req.history, req.remembered)),
  silent: (req) => [{ kind: 'sleep', ms: req.silentMs }, ...harnessAnswer(req, echoAnswer(req.input))],
  'echo-attributes': (req) => harnessAnswer(req, JSON.stringify(req.context ?? null)),
  'echo-system-prompt': (req) => harnessAnswer(req, JSON.stringify(req.systemPrompt)),
  faulty: (_req) => [
    { kind: 'event', type: 'messageStart', payload: { role: 'assistant' } },
    { kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Partial answer' } }, text: 'Partial answer' },
    { kind: 'exception', type: 'internalServerException', message: 'The faulty harness failed on purpose' },
  ],
  hang: () => [
    { kind: 'event', type: 'messageStart', payload: { role: 'assistant' } },
    { kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Thinking' } }, text: 'Thinking' },
    { kind: 'hang' },
  ],
  /** Calls a tool (use, input in two deltas, result), then answers like echo. */
  tools: (req) => {
    const input = JSON.stringify({ orderId: '42', question: req.input });
    const half = Math.ceil(input.length / 2);
    const answer = echoAnswer(req.input);
    return [
      { kind: 'event', type: 'messageStart', payload: { role: 'assistant' } },
      {
        kind: 'event',
        type: 'contentBlockStart',
        payload: { contentBlockIndex: 0, start: { toolUse: { toolUseId: HARNESS_TOOL.toolUseId, name: HARNESS_TOOL.name, type: 'tool_use' } } },
      },
      { kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { toolUse: { input: input.slice(0, half) } } } },
      { kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { toolUse: { input: input.slice(half) } } } },
      { kind: 'event', type: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
      { kind: 'event', type: 'messageStop', payload: { stopReason: 'tool_use' } },
      { kind: 'event', type: 'messageStart', payload: { role: 'user' } },
      {
        kind: 'event',
        type: 'contentBlockStart',
        payload: { contentBlockIndex: 0, start: { toolResult: { toolUseId: HARNESS_TOOL.toolUseId, status: 'success' } } },
      },
      { kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { toolResult: [{ text: HARNESS_TOOL.result }] } } },
      { kind: 'event', type: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
      { kind: 'event', type: 'messageStop', payload: { stopReason: 'tool_result' } },
      ...textMessage(answer),
      usageEvent(req.input, answer),
    ];
  },
};

export const textsOf = (content: unknown): string[] =>
  (Array.isArray(content) ? content : []).flatMap((c: any) => (typeof c?.text === 'string' ? [c.text as string] : []));

export function harnessRequestOf(agent: string, body: any, remembered: Turn[], silentMs: number): HarnessRequest {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  // The user's words: blocks the backend adds (session context, user memory, attached files) left out.
  const words = (t: string) => !isSessionContextBlock(t) && !isUserMemoryBlock(t) && !isAttachedFilesBlock(t);
  let last = -1;
  messages.forEach((m, i) => {
    if (m?.role === 'user' && textsOf(m.content).some(words)) last = i;
  });
  const systemPrompt = textsOf(body?.systemPrompt);
  const allTexts = [...systemPrompt, ...messages.flatMap((m) => textsOf(m?.content))];
  const contextText = allTexts.find(isSessionContextBlock);
  return {
    agent,
    input: last >= 0 ? textsOf(messages[last].content).filter(words).join('') : '',
    history: messages.slice(0, Math.max(0, last)).flatMap((m) => {
      const text = textsOf(m?.content).filter(words).join('');
      return (m?.role === 'user' || m?.role === 'assistant') && text ? [{ role: m.role, content: text } as Turn] : [];
    }),
    remembered,
    context: contextText ? parseSessionContextBlock(contextText) : undefined,
    systemPrompt,
    silentMs,
    memory: parseUserMemoryBlock(allTexts.find(isUserMemoryBlock) ?? ''),
    files: last >= 0 ? textsOf(messages[last].content).filter(isAttachedFilesBlock).flatMap(parseAttachedFilesBlock) : [],
    ...toolResultsOf(messages),
  };
}

/** The caller's toolResults in the last message, each answering a toolUse of the assistant message before it. */
function toolResultsOf(messages: any[]): Pick<HarnessRequest, 'toolResults' | 'resumeError'> {
  const blocks = (m: any, kind: string): any[] => (Array.isArray(m?.content) ? m.content.flatMap((c: any) => (c?.[kind] ? [c[kind]] : [])) : []);
  const results = blocks(messages.at(-1), 'toolResult');
  if (!results.length) return { toolResults: [] };
  const uses = messages.length >= 2 && messages.at(-2)?.role === 'assistant' ? blocks(messages.at(-2), 'toolUse') : [];
  const toolResults = results.map((r) => ({
    toolUseId: String(r.toolUseId ?? ''),
    name: String(uses.find((u) => u.toolUseId === r.toolUseId)?.name ?? ''),
    text: textsOf(r.content).join(''),
    ...(r.status ? { status: String(r.status) } : {}),
  }));
  const unmatched = toolResults.find((r) => !r.name);
  return { toolResults, ...(unmatched ? { resumeError: `toolResult ${unmatched.toolUseId} answers no toolUse of the assistant message before it` } : {}) };
}
