/** The Agents Classic adapter: InvokeAgent and InvokeInlineAgent as provider events. */
import { InvokeAgentCommand, InvokeInlineAgentCommand, type ResponseStream, type InlineAgentResponseStream } from '@aws-sdk/client-bedrock-agent-runtime';
import type { BedrockAgentRef, InlineAgentDefinition } from 'pika-shared/types/chatbot/chatbot-types';
import type { AgentEvent, AskEvent, ProviderInput } from './events';
import { asksOf, returnControlState } from './classic-return-control';
import { utf8Stream } from './utf8';
import { userMemoryBlock } from 'pika-shared/util/agentcore';
import { bedrockAgentClient } from '../../models/bedrock-agent';

/** Token usage of a trace event: the model-invocation metadata of any trace kind that carries it. */
type TraceWithUsage = { modelInvocationOutput?: { metadata?: { usage?: { inputTokens?: number; outputTokens?: number } } } };
export function usageOfTrace(trace: Record<string, unknown> | undefined): { inputTokens: number; outputTokens: number } | undefined {
  if (!trace) return undefined;
  for (const kind of ['orchestrationTrace', 'preProcessingTrace', 'postProcessingTrace', 'routingClassifierTrace', 'customOrchestrationTrace']) {
    const usage = (trace[kind] as TraceWithUsage | undefined)?.modelInvocationOutput?.metadata?.usage;
    if (usage && (Number.isFinite(usage.inputTokens) || Number.isFinite(usage.outputTokens))) {
      return { inputTokens: Number(usage.inputTokens ?? 0), outputTokens: Number(usage.outputTokens ?? 0) };
    }
  }
  return undefined;
}

/** Earlier turns in Bedrock's `conversationHistory` shape (InvokeAgent and InvokeInlineAgent alike). */
function conversationHistory(history: ProviderInput['history']) {
  return history?.length ? { conversationHistory: { messages: history.map((t) => ({ role: t.role, content: [{ text: t.content }] })) } } : {};
}

/** The message's files as `sessionState.files` / `inlineSessionState.files`: S3 sources, the chat app's use case. */
function sessionFiles(files: ProviderInput['files']) {
  return files?.length
    ? { files: files.map((f) => ({ name: f.fileName, source: { sourceType: 'S3' as const, s3Location: { uri: f.s3Uri } }, useCase: f.useCase })) }
    : {};
}

/**
 * Agents Classic: InvokeAgent (agent + alias) or InvokeInlineAgent (inline definition), with traces and
 * token streaming on. Text is decoded as a stream: a character split across chunks is never broken.
 */
export async function* invokeClassic(agent: BedrockAgentRef | InlineAgentDefinition, input: ProviderInput): AsyncGenerator<AgentEvent | AskEvent> {
  const common = {
    sessionId: input.sessionId,
    // With returnControlInvocationResults the agent ignores inputText: none is sent.
    ...(input.resume ? {} : { inputText: input.inputText }),
    enableTrace: true,
    streamingConfigurations: { streamFinalResponse: true },
  };
  const state = {
    sessionAttributes: input.sessionAttributes,
    ...(input.resume ? returnControlState(input.resume) : {}),
    ...(input.memory?.length ? { promptSessionAttributes: { userMemory: userMemoryBlock(input.memory) } } : {}),
    ...conversationHistory(input.history),
    ...sessionFiles(input.files),
  };
  const out =
    agent.kind === 'bedrock-agent'
      ? await bedrockAgentClient().send(
          new InvokeAgentCommand({ ...common, agentId: agent.bedrockAgentId, agentAliasId: agent.bedrockAgentAliasId, sessionState: state }),
          { abortSignal: input.signal },
        )
      : await bedrockAgentClient().send(
          new InvokeInlineAgentCommand({
            ...common,
            foundationModel: agent.foundationModel,
            instruction: agent.instruction,
            ...(agent.idleSessionTTLInSeconds ? { idleSessionTTLInSeconds: agent.idleSessionTTLInSeconds } : {}),
            ...(agent.agentName ? { agentName: agent.agentName } : {}),
            inlineSessionState: state,
          }),
          { abortSignal: input.signal },
        );
  const stream = out.completion as AsyncIterable<ResponseStream | InlineAgentResponseStream> | undefined;
  if (!stream) return;
  const text = utf8Stream();
  for await (const event of stream) {
    if (event.chunk?.bytes) {
      const piece = text.write(event.chunk.bytes);
      if (piece) yield { type: 'chunk', text: piece };
    } else if (event.returnControl) {
      yield* asksOf(event.returnControl);
    } else if (event.trace?.trace) {
      const trace = event.trace.trace as unknown as Record<string, unknown>;
      const usage = usageOfTrace(trace);
      yield { type: 'trace', trace, ...(usage ? { usage } : {}) };
    }
  }
  const rest = text.end();
  if (rest) yield { type: 'chunk', text: rest };
}
