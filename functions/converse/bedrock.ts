/**
 * Bedrock clients (one per container) and the agent stream as plain events. BEDROCK_AGENT_ENDPOINT /
 * BEDROCK_RUNTIME_ENDPOINT point the real SDK clients at the local emulator; unset, they talk to Bedrock.
 */
import {
  BedrockAgentRuntimeClient,
  InvokeAgentCommand,
  InvokeInlineAgentCommand,
  type ResponseStream,
  type InlineAgentResponseStream,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { AgentConfig } from 'pika-shared/types/chatbot/chatbot-types';

let agentClient: { client: BedrockAgentRuntimeClient; endpoint: string | undefined } | undefined;
let runtimeClient: { client: BedrockRuntimeClient; endpoint: string | undefined } | undefined;

export function bedrockAgentClient(): BedrockAgentRuntimeClient {
  const endpoint = process.env.BEDROCK_AGENT_ENDPOINT || undefined;
  if (agentClient?.endpoint !== endpoint || !agentClient) {
    agentClient?.client.destroy();
    agentClient = { client: new BedrockAgentRuntimeClient({ ...(endpoint ? { endpoint } : {}), maxAttempts: 2 }), endpoint };
  }
  return agentClient.client;
}

export function bedrockRuntimeClient(): BedrockRuntimeClient {
  const endpoint = process.env.BEDROCK_RUNTIME_ENDPOINT || undefined;
  if (runtimeClient?.endpoint !== endpoint || !runtimeClient) {
    runtimeClient?.client.destroy();
    runtimeClient = { client: new BedrockRuntimeClient({ ...(endpoint ? { endpoint } : {}), maxAttempts: 2 }), endpoint };
  }
  return runtimeClient.client;
}

export type AgentEvent =
  | { type: 'chunk'; text: string }
  | { type: 'trace'; trace: Record<string, unknown>; usage?: { inputTokens: number; outputTokens: number } };

export interface InvokeInput {
  sessionId: string;
  inputText: string;
  sessionAttributes: Record<string, string>;
  signal: AbortSignal;
}

/** Token usage of a trace event: the model-invocation metadata of any trace kind that carries it. */
export function usageOfTrace(trace: Record<string, any> | undefined): { inputTokens: number; outputTokens: number } | undefined {
  if (!trace) return undefined;
  for (const kind of ['orchestrationTrace', 'preProcessingTrace', 'postProcessingTrace', 'routingClassifierTrace', 'customOrchestrationTrace']) {
    const usage = trace[kind]?.modelInvocationOutput?.metadata?.usage;
    if (usage && (Number.isFinite(usage.inputTokens) || Number.isFinite(usage.outputTokens))) {
      return { inputTokens: Number(usage.inputTokens ?? 0), outputTokens: Number(usage.outputTokens ?? 0) };
    }
  }
  return undefined;
}

/** InvokeAgent (agent + alias) or InvokeInlineAgent (inline definition), with traces and token streaming on. */
export async function* invokeAgent(agent: AgentConfig, input: InvokeInput): AsyncGenerator<AgentEvent> {
  const common = {
    sessionId: input.sessionId,
    inputText: input.inputText,
    enableTrace: true,
    streamingConfigurations: { streamFinalResponse: true },
  };
  const def = agent.agent;
  const out =
    def.kind === 'bedrock-agent'
      ? await bedrockAgentClient().send(
          new InvokeAgentCommand({ ...common, agentId: def.bedrockAgentId, agentAliasId: def.bedrockAgentAliasId, sessionState: { sessionAttributes: input.sessionAttributes } }),
          { abortSignal: input.signal },
        )
      : await bedrockAgentClient().send(
          new InvokeInlineAgentCommand({
            ...common,
            foundationModel: def.foundationModel,
            instruction: def.instruction,
            ...(def.idleSessionTTLInSeconds ? { idleSessionTTLInSeconds: def.idleSessionTTLInSeconds } : {}),
            inlineSessionState: { sessionAttributes: input.sessionAttributes },
          }),
          { abortSignal: input.signal },
        );
  const stream = out.completion as AsyncIterable<ResponseStream | InlineAgentResponseStream> | undefined;
  if (!stream) return;
  for await (const event of stream) {
    if (event.chunk?.bytes) yield { type: 'chunk', text: Buffer.from(event.chunk.bytes).toString('utf8') };
    else if (event.trace?.trace) {
      const trace = event.trace.trace as unknown as Record<string, unknown>;
      const usage = usageOfTrace(trace);
      yield { type: 'trace', trace, ...(usage ? { usage } : {}) };
    }
  }
}
