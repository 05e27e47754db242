/**
 * Bedrock Runtime `Converse` with a tool (toolConfig + toolChoice): the emulator answers with a `toolUse` whose
 * input is deterministic. By default it is the simplest instance of the tool's JSON input schema (first enum
 * value, minimum numbers, required properties …); a feature can register its own answerer for its tool name
 * (registerToolAnswerer) to make the answer depend on the request. Model ids steer failures for tests:
 *   invalid-tool       always answers with an input the schema refuses
 *   invalid-tool-once  refuses once per conversation, then answers validly (a retry succeeds)
 *   fail-tool          a 500 InternalServerException
 *   slow-tool          answers after 1.5 s (server.ts)
 */
import { createHash } from 'node:crypto';

export interface ToolRequest {
  modelId: string;
  /** The texts of the request's messages, in order. */
  texts: string[];
  system: string;
  toolName: string;
  inputSchema: Record<string, any>;
  body: any;
}
export type ToolAnswerer = (req: ToolRequest) => unknown;

const answerers = new Map<string, ToolAnswerer>();
export function registerToolAnswerer(toolName: string, answerer: ToolAnswerer): void {
  answerers.set(toolName, answerer);
}

const refusedOnce = new Set<string>();

export type ToolCallAnswer = { status: 200; json: unknown } | { status: number; error: { type: string; message: string } };

/** The Converse answer for a request that carries a toolConfig. */
export function answerToolCall(modelId: string, body: any): ToolCallAnswer {
  if (modelId === 'fail-tool') return { status: 500, error: { type: 'InternalServerException', message: 'The model failed on purpose' } };
  const specs: any[] = (body.toolConfig?.tools ?? []).map((t: any) => t.toolSpec).filter(Boolean);
  const forced = body.toolConfig?.toolChoice?.tool?.name;
  const spec = specs.find((s) => s.name === forced) ?? specs[0];
  if (!spec) return { status: 400, error: { type: 'ValidationException', message: 'toolConfig.tools is empty' } };
  const texts: string[] = (body.messages ?? []).flatMap((m: any) => (m.content ?? []).map((c: any) => c.text ?? ''));
  const system = (body.system ?? []).map((s: any) => s.text ?? '').join('\n');
  const req: ToolRequest = { modelId, texts, system, toolName: spec.name, inputSchema: spec.inputSchema?.json ?? {}, body };
  const conversation = createHash('sha256')
    .update(JSON.stringify([system, texts]))
    .digest('hex');
  let input: unknown;
  if (modelId === 'invalid-tool' || (modelId === 'invalid-tool-once' && !refusedOnce.has(conversation))) {
    refusedOnce.add(conversation);
    input = { unexpected: true };
  } else {
    input = answerers.get(spec.name)?.(req) ?? exampleOf(req.inputSchema);
  }
  const inputTokens = 10 + Math.ceil((system.length + texts.join(' ').length) / 4);
  const outputTokens = 5 + Math.ceil(JSON.stringify(input).length / 4);
  return {
    status: 200,
    json: {
      output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: `tooluse_${conversation.slice(0, 16)}`, name: spec.name, input } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      metrics: { latencyMs: 1 },
    },
  };
}

/** The simplest value a JSON schema (draft-07 / 2020-12, as zod writes them) accepts. */
export function exampleOf(schema: any, root: any = schema, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 20) return null;
  if (schema.$ref) {
    const path = String(schema.$ref).replace(/^#\/?/, '').split('/').filter(Boolean);
    return exampleOf(
      path.reduce((s: any, k) => s?.[k], root),
      root,
      depth + 1,
    );
  }
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('default' in schema) return schema.default;
  const alt = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alt)) return exampleOf(alt.find((s: any) => s.type !== 'null') ?? alt[0], root, depth + 1);
  if (Array.isArray(schema.allOf)) return Object.assign({}, ...schema.allOf.map((s: any) => exampleOf(s, root, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = exampleOf(schema.properties?.[key] ?? {}, root, depth + 1);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => exampleOf(schema.items ?? {}, root, depth + 1));
    case 'string': {
      if (schema.format === 'date-time') return '2026-01-01T00:00:00.000Z';
      if (schema.format === 'date') return '2026-01-01';
      if (schema.format === 'email') return 'user@example.com';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
      return schema.maximum !== undefined ? Math.min(min, schema.maximum) : min;
    }
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return null;
  }
}
