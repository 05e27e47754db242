/**
 * The agent's "model": what turns one chat turn into answer deltas and token usage. `toyModel` answers without
 * any AWS call so the example runs and is tested anywhere; replace it with a real model call (see the comment in
 * `toyModel`) and keep the rest of the agent as it is.
 */
import type { AgentRuntimeUsage, ParsedAgentRuntimePayload } from 'pika-shared/util/agentcore';

/** One chat turn, as the agent received it. */
export interface Turn extends ParsedAgentRuntimePayload {
  /** The earlier turns, oldest first: the payload's history when the chat backend sent it, else what this runtime session remembers (src/memory.ts). */
  history: ParsedAgentRuntimePayload['history'];
  /** AgentCore's runtime session id (the `X-Amzn-Bedrock-AgentCore-Runtime-Session-Id` header): one per chat session. */
  runtimeSessionId: string | undefined;
  /** Aborted when the caller goes away (the chat user stopped the answer, or the session was stopped). */
  signal: AbortSignal;
}

/** What a model streams: text deltas and the token usage of each model call (the chat backend sums them). */
export type ModelEvent = { type: 'text'; text: string } | { type: 'usage'; usage: AgentRuntimeUsage };

export type Model = (turn: Turn) => AsyncIterable<ModelEvent>;

/** The answer the toy model gives, built from the session data (the user's customData is spread in). */
export function toyAnswer(turn: Pick<Turn, 'prompt' | 'session' | 'history'>): string {
  const { session, prompt, history } = turn;
  const name = typeof session.firstName === 'string' ? session.firstName : session.userId;
  const account = typeof session.accountType === 'string' ? ` Your account is ${session.accountType}.` : '';
  const earlier = history.filter((t) => t.role === 'user').length;
  return (
    `Hello ${name}! You asked: "${prompt}".${account} ` +
    `This is chat app ${session.chatAppId}, agent ${session.agentId}; ` +
    `${earlier === 0 ? 'this is our first exchange' : `you asked ${earlier} question${earlier === 1 ? '' : 's'} before`}.`
  );
}

/** A rough token count (about one token per word) — a real model reports its own. */
const tokens = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Answers with a greeting built from the session, a few words per delta. */
export const toyModel: Model = async function* (turn) {
  // A real model call goes here, e.g. Bedrock ConverseStream with @aws-sdk/client-bedrock-runtime:
  //
  //   const out = await bedrock.send(new ConverseStreamCommand({
  //     modelId,
  //     system: [{ text: `You help ${turn.session.userId} (account ${turn.session.accountType}).` }],
  //     messages: [...turn.history.map((t) => ({ role: t.role, content: [{ text: t.content }] })),
  //                { role: 'user', content: [{ text: turn.prompt }] }],
  //   }), { abortSignal: turn.signal });
  //   for await (const e of out.stream ?? []) {
  //     if (e.contentBlockDelta?.delta?.text) yield { type: 'text', text: e.contentBlockDelta.delta.text };
  //     if (e.metadata?.usage) yield { type: 'usage', usage: { inputTokens: e.metadata.usage.inputTokens ?? 0, outputTokens: e.metadata.usage.outputTokens ?? 0 } };
  //   }
  //
  // (The runtime's execution role then needs bedrock:InvokeModelWithResponseStream on that model.)
  const answer = toyAnswer(turn);
  const words = answer.split(/(?<= )/); // keeps the spaces: the deltas concatenate to the answer
  for (let i = 0; i < words.length; i += 3) {
    if (turn.signal.aborted) return;
    yield { type: 'text', text: words.slice(i, i + 3).join('') };
    await new Promise((resolve) => setTimeout(resolve, 1)); // as a model would: the deltas arrive over time
  }
  const input = tokens(turn.prompt) + turn.history.reduce((n, t) => n + tokens(t.content), 0);
  yield { type: 'usage', usage: { inputTokens: input, outputTokens: tokens(answer) } };
};
