import type { ChatMessageUsage, ModelPricing } from 'pika-shared/types/chatbot/chatbot-types';
import { roundUsd } from '../platform/money';

/** Cost in USD from token counts and per-1k-token prices, rounded to micro-dollars. */
export function costOf(tokens: { inputTokens: number; outputTokens: number }, pricing: ModelPricing): ChatMessageUsage {
  const inputCost = roundUsd((tokens.inputTokens / 1000) * pricing.inputPer1kTokens);
  const outputCost = roundUsd((tokens.outputTokens / 1000) * pricing.outputPer1kTokens);
  return { inputTokens: tokens.inputTokens, outputTokens: tokens.outputTokens, inputCost, outputCost, totalCost: roundUsd(inputCost + outputCost) };
}

export const addTokens = (a: { inputTokens: number; outputTokens: number }, b: { inputTokens: number; outputTokens: number }) => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
});

/** Two priced usages added up (e.g. an answer and its gradings, each at its own model's prices). */
export function addUsage(a: ChatMessageUsage | undefined, b: ChatMessageUsage | undefined): ChatMessageUsage {
  const zero = { inputTokens: 0, outputTokens: 0, inputCost: 0, outputCost: 0, totalCost: 0 };
  const x = a ?? zero;
  const y = b ?? zero;
  return {
    inputTokens: x.inputTokens + y.inputTokens,
    outputTokens: x.outputTokens + y.outputTokens,
    inputCost: roundUsd(x.inputCost + y.inputCost),
    outputCost: roundUsd(x.outputCost + y.outputCost),
    totalCost: roundUsd(x.totalCost + y.totalCost),
  };
}
