/**
 * Structured model answers (functions/models/tool-call.ts): Bedrock Converse with a forced tool, through the
 * real @aws-sdk/client-bedrock-runtime against the emulator, validated with the zod schema the tool came from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { callTool, toolInputSchema } from '../../functions/models/tool-call';
import { exampleOf } from '../../scripts/agent-emulator/model-tools';
import { registerToolAnswerer } from '../../scripts/agent-emulator/model-tools';
import { startAgentEmulator, type AgentEmulator } from '../../scripts/agent-emulator';
import { restoreEnv } from '../support/env';

const verdict = z.strictObject({
  grade: z.enum(['A', 'B', 'C', 'F']),
  reason: z.string().min(3).max(200),
  score: z.number().int().min(1).max(5),
  tags: z.array(z.string()).min(1).optional(),
});
const pricing = { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 };
let emu: AgentEmulator;
const saved = { BEDROCK_RUNTIME_ENDPOINT: process.env.BEDROCK_RUNTIME_ENDPOINT };

beforeAll(async () => {
  emu = await startAgentEmulator();
  process.env.BEDROCK_RUNTIME_ENDPOINT = emu.runtimeEndpoint;
});
afterAll(async () => {
  restoreEnv(saved);
  await emu.close();
});

const ask = (modelId: string, text = 'Is the sky blue?') =>
  callTool({
    modelId,
    pricing,
    system: 'Grade the answer.',
    messages: [{ role: 'user', text }],
    tool: { name: 'record_verdict', description: 'The verdict', schema: verdict },
  });

describe('callTool', () => {
  it('sends the zod schema as the forced tool and returns the validated input with its cost', async () => {
    const out = await ask('grader');
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(verdict.parse(out.value)).toEqual(out.value);
    expect(out.value.grade).toBe('A');
    expect(out.usage.inputTokens).toBeGreaterThan(0);
    expect(out.usage.totalCost).toBeCloseTo((out.usage.inputTokens * 0.003 + out.usage.outputTokens * 0.015) / 1000, 6);
    const sent = emu.lastRequest()!.body;
    expect(sent.toolConfig.toolChoice).toEqual({ tool: { name: 'record_verdict' } });
    expect(sent.toolConfig.tools[0].toolSpec.inputSchema.json).toEqual(JSON.parse(JSON.stringify(toolInputSchema(verdict))));
    expect(sent.toolConfig.tools[0].toolSpec.inputSchema.json.$schema).toBeUndefined();
  });

  it('reports an invalid tool input with its issues and still bills the tokens spent', async () => {
    const out = await ask('invalid-tool');
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.issues.join(' ')).toMatch(/grade|unexpected/);
    expect(out.usage.outputTokens).toBeGreaterThan(0);
  });

  it('invalid-tool-once refuses once per conversation, then answers validly', async () => {
    expect((await ask('invalid-tool-once', 'first conversation')).ok).toBe(false);
    expect((await ask('invalid-tool-once', 'first conversation')).ok).toBe(true);
  });

  it('a registered answerer shapes the answer from the request', async () => {
    registerToolAnswerer('record_verdict', (req) => ({ grade: req.texts.join(' ').includes('wrong') ? 'F' : 'B', reason: 'by the test answerer', score: 2 }));
    const out = await ask('grader', 'this answer is wrong');
    expect(out.ok && out.value).toEqual({ grade: 'F', reason: 'by the test answerer', score: 2 });
  });

  it('a failing model throws (the caller decides what a failure means)', async () => {
    await expect(ask('fail-tool')).rejects.toThrow();
  });
});

describe('exampleOf', () => {
  it('builds an instance every zod-generated schema of a few shapes accepts', () => {
    const schemas = [
      verdict,
      z.object({ a: z.union([z.null(), z.literal('x')]), b: z.array(z.object({ c: z.number().positive() })).min(2), d: z.string().datetime() }),
      z.object({ nested: z.object({ e: z.enum(['one', 'two']).default('two'), f: z.boolean() }) }),
    ];
    for (const s of schemas) expect(s.safeParse(exampleOf(toolInputSchema(s))).success).toBe(true);
  });
});
