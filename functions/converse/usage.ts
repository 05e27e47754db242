import type { ChatMessageUsage, ModelPricing } from 'pika-shared/types/chatbot/chatbot-types';

/** Cost in USD from token counts and per-1k-token prices, rounded to micro-dollars. */
export function costOf(tokens: { inputTokens: number; outputTokens: number }, pricing: ModelPricing): ChatMessageUsage {
  const round = (n: number) => Math.round(n * 1e6) / 1e6;
  const inputCost = round((tokens.inputTokens / 1000) * pricing.inputPer1kTokens);
  const outputCost = round((tokens.outputTokens / 1000) * pricing.outputPer1kTokens);
  return { inputTokens: tokens.inputTokens, outputTokens: tokens.outputTokens, inputCost, outputCost, totalCost: round(inputCost + outputCost) };
}

export const addTokens = (a: { inputTokens: number; outputTokens: number }, b: { inputTokens: number; outputTokens: number }) => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
});
