/**
 * Session titles: a short title from the agent's title model (Bedrock Converse), or the trimmed first
 * message when none is configured. The title's cost is added to the session's counters. A session a turn
 * creates is titled from its first message while the agent answers (run.ts); a session titled later, from
 * its first exchange.
 */
import type { AgentConfig, ChatMessageUsage } from 'pika-shared/types/chatbot/chatbot-types';
import { converseOnce } from '../models/converse-once';
import { costOf } from '../models/pricing';

export const TITLE_MAX_CHARS = 80;

export function fallbackTitle(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  if (flat.length <= TITLE_MAX_CHARS) return flat;
  const cut = flat.slice(0, TITLE_MAX_CHARS - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 40))}…`;
}

export async function generateTitle(
  agent: AgentConfig,
  userMessage: string,
  answer: string | undefined,
  signal?: AbortSignal,
): Promise<{ title: string; usage?: ChatMessageUsage }> {
  if (!agent.titleModel) return { title: fallbackTitle(userMessage) };
  const out = await converseOnce(
    {
      modelId: agent.titleModel.modelId,
      system: [{ text: 'Write a title of at most six words for this conversation. Answer with the title only.' }],
      messages: [
        { role: 'user', content: [{ text: `User: ${userMessage.slice(0, 2000)}${answer === undefined ? '' : `\nAssistant: ${answer.slice(0, 2000)}`}` }] },
      ],
      inferenceConfig: { maxTokens: 30, temperature: 0.2 },
    },
    signal ? { abortSignal: signal } : {},
  );
  const text = out.output?.message?.content?.find((c) => 'text' in c && c.text)?.text?.replace(/^["'\s]+|["'\s.]+$/g, '') ?? '';
  const usage = out.usage
    ? costOf({ inputTokens: out.usage.inputTokens ?? 0, outputTokens: out.usage.outputTokens ?? 0 }, agent.titleModel.pricing)
    : undefined;
  return { title: text ? text.slice(0, TITLE_MAX_CHARS) : fallbackTitle(userMessage), ...(usage ? { usage } : {}) };
}
