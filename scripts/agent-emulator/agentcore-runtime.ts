import { sseText, sseUsage, type ParsedAgentRuntimePayload } from 'pika-shared/util/agentcore';
import { filesAnswer } from './files';
import { echoAnswer, inputTokensFor, outputTokensFor } from './agents';
import { recallAnswer, type Turn } from './sessions';
import { pieces } from './agentcore-harness';
import { AG_UI_RUNTIME_AGENTS } from './agentcore-agui';

// ---------------------------------------------------------------------------------------------- runtime

export interface RuntimeRequest {
  agent: string;
  payload: ParsedAgentRuntimePayload;
  /** The body as received (JSON parsed when it is JSON): AG-UI agents validate it themselves. */
  body: unknown;
  remembered: Turn[];
  silentMs: number;
}

export type RuntimeStep = { kind: 'write'; data: string | Uint8Array; text?: string } | { kind: 'sleep'; ms: number } | { kind: 'hang' };
export interface RuntimeScript {
  contentType: string;
  steps: RuntimeStep[];
}

export const SSE = 'text/event-stream; charset=utf-8';

/** SSE deltas of `answer`, each event written in two halves split at its middle byte, then a usage event. */
export function sseAnswer(req: RuntimeRequest, answer: string, opts: { usage?: boolean } = {}): RuntimeScript {
  const steps: RuntimeStep[] = [];
  for (const text of pieces(answer)) {
    const bytes = new TextEncoder().encode(sseText(text));
    const mid = Math.floor(bytes.length / 2);
    steps.push({ kind: 'write', data: bytes.slice(0, mid), text }, { kind: 'write', data: bytes.slice(mid) });
  }
  if (opts.usage !== false)
    steps.push({ kind: 'write', data: sseUsage({ inputTokens: inputTokensFor(req.payload.prompt), outputTokens: outputTokensFor(answer) }) });
  return { contentType: SSE, steps };
}

export const RUNTIME_AGENTS: Record<string, (req: RuntimeRequest) => RuntimeScript> = {
  echo: (req) => sseAnswer(req, echoAnswer(req.payload.prompt, req.payload.memory)),
  'echo-files': (req) =>
    sseAnswer(
      req,
      filesAnswer(
        req.payload.prompt,
        req.payload.files.map((f) => f.fileName),
      ),
    ),
  slow: (req) => sseAnswer(req, echoAnswer(req.payload.prompt)),
  recall: (req) => sseAnswer(req, recallAnswer(req.payload.history, req.remembered)),
  silent: (req) => {
    const s = sseAnswer(req, echoAnswer(req.payload.prompt));
    return { ...s, steps: [{ kind: 'sleep', ms: req.silentMs }, ...s.steps] };
  },
  /** Answers with the session data it decoded from the payload (parseAgentRuntimePayload), as JSON. */
  'echo-attributes': (req) => sseAnswer(req, JSON.stringify(req.payload.session)),
  /** The whole SSE stream in 5-byte writes: multi-byte characters are split across chunks. */
  'split-bytes': (req) => {
    const answer = echoAnswer(req.payload.prompt);
    const all = new TextEncoder().encode(
      pieces(answer).map(sseText).join('') + sseUsage({ inputTokens: inputTokensFor(req.payload.prompt), outputTokens: outputTokensFor(answer) }),
    );
    const steps: RuntimeStep[] = [];
    for (let i = 0; i < all.length; i += 5) steps.push({ kind: 'write', data: all.slice(i, i + 5) });
    steps[0] = { ...(steps[0] as RuntimeStep & { kind: 'write' }), text: answer };
    return { contentType: SSE, steps };
  },
  /** One `application/json` answer: { text, usage }. */
  json: (req) => {
    const text = echoAnswer(req.payload.prompt);
    const usage = { inputTokens: inputTokensFor(req.payload.prompt), outputTokens: outputTokensFor(text) };
    return { contentType: 'application/json', steps: [{ kind: 'write', data: JSON.stringify({ text, usage }), text }] };
  },
  /** Plain-text deltas (`text/plain`), no usage. */
  plain: (req) => ({
    contentType: 'text/plain; charset=utf-8',
    steps: pieces(echoAnswer(req.payload.prompt)).map((text): RuntimeStep => ({ kind: 'write', data: text, text })),
  }),
  /**
   * A Strands agent served by BedrockAgentCoreApp (`yield event` of `stream_async`): lifecycle and raw model
   * events, text deltas as `{"data": …}`, a JSON-string delta, a final `{"result": …}`; no usage.
   */
  strands: (req) => {
    const [first = '', ...rest] = pieces(echoAnswer(req.payload.prompt));
    const ev = (value: unknown, text?: string): RuntimeStep => ({ kind: 'write', data: `data: ${JSON.stringify(value)}\n\n`, ...(text ? { text } : {}) });
    return {
      contentType: SSE,
      steps: [
        ev({ init_event_loop: true }),
        ev({ event: { messageStart: { role: 'assistant' } } }),
        ev(first, first),
        ...rest.flatMap((text) => [ev({ event: { contentBlockDelta: { delta: { text } } } }), ev({ data: text, delta: { text } }, text)]),
        ev({ result: 'AgentResult(…)' }),
      ],
    };
  },
  /** One delta, then BedrockAgentCoreApp's error event ({"error","error_type"}). */
  faulty: () => ({
    contentType: SSE,
    steps: [
      { kind: 'write', data: sseText('Partial answer'), text: 'Partial answer' },
      {
        kind: 'write',
        data: `data: ${JSON.stringify({ error: 'The faulty runtime agent failed on purpose', error_type: 'RuntimeError', message: 'An error occurred during streaming' })}\n\n`,
      },
    ],
  }),
  /** One delta, then nothing until the client goes away or StopRuntimeSession ends the session. */
  hang: () => ({ contentType: SSE, steps: [{ kind: 'write', data: sseText('Thinking'), text: 'Thinking' }, { kind: 'hang' }] }),
  /** AG-UI servers (server protocol AGUI): ./agentcore-agui.ts. */
  ...AG_UI_RUNTIME_AGENTS,
};
