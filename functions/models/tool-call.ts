/**
 * A model's answer as structured data: Bedrock `Converse` with one tool whose input schema is the JSON schema
 * of a zod schema, the tool forced by toolChoice. The tool's input is the answer, validated with the same zod
 * schema. Used for answer verification (the verdict) and session insights (the SessionInsights record).
 */
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { ChatMessageUsage, ModelPricing } from 'pika-shared/types/chatbot/chatbot-types';
import * as z from 'zod';
import { converseOnce } from './converse-once';
import { costOf } from './pricing';

export interface ToolCallRequest<T> {
  modelId: string;
  pricing: ModelPricing;
  system: string;
  /** The conversation the model reads, as plain texts in order (user, assistant, user, …). */
  messages: { role: 'user' | 'assistant'; text: string }[];
  tool: { name: string; description: string; schema: z.ZodType<T> };
  maxTokens?: number;
  signal?: AbortSignal;
}

export type ToolCallResult<T> =
  | { ok: true; value: T; usage: ChatMessageUsage }
  /** The model answered, but not with a valid tool input: its tokens were still spent. */
  | { ok: false; issues: string[]; usage: ChatMessageUsage };

/** The tool's input schema as Bedrock expects it (a JSON schema object). */
export function toolInputSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/**
 * Calls the model once. A transport or service failure throws (a DomainError via the usual mapping); an
 * answer that is not a valid tool input is `{ ok: false }` with the issues, so the caller can retry or record it.
 */
export async function callTool<T>(req: ToolCallRequest<T>): Promise<ToolCallResult<T>> {
  const messages: Message[] = req.messages.map((m) => ({ role: m.role, content: [{ text: m.text }] }));
  const out = await converseOnce(
    {
      modelId: req.modelId,
      system: [{ text: req.system }],
      messages,
      toolConfig: {
        tools: [{ toolSpec: { name: req.tool.name, description: req.tool.description, inputSchema: { json: toolInputSchema(req.tool.schema) as never } } }],
        toolChoice: { tool: { name: req.tool.name } },
      },
      inferenceConfig: { maxTokens: req.maxTokens ?? 1024, temperature: 0 },
    },
    req.signal ? { abortSignal: req.signal } : {},
  );
  const usage = costOf({ inputTokens: out.usage?.inputTokens ?? 0, outputTokens: out.usage?.outputTokens ?? 0 }, req.pricing);
  const use = out.output?.message?.content?.find((c) => c.toolUse?.name === req.tool.name)?.toolUse;
  if (!use) return { ok: false, issues: [`the model did not call ${req.tool.name}`], usage };
  const parsed = req.tool.schema.safeParse(use.input);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).slice(0, 20), usage };
  return { ok: true, value: parsed.data, usage };
}
