/**
 * The evidence an agent used (tool calls and results, action-group results, knowledge-base references, code-interpreter
 * and collaborator outputs), gathered by the relay step (relay.ts) for answer verification (verify.ts) when the chat
 * app verifies answers; bounded, never relayed to the client.
 */
import type { OrchestrationTrace } from '@aws-sdk/client-bedrock-agent-runtime';
import { verifyResponseFeatureSchema } from 'pika-shared/schemas';
import type { ChatAppConfig, VerifyResponseFeature } from 'pika-shared/types/chatbot/chatbot-types';
import { logger } from '../platform/logger';
import type { ProviderEvent } from './providers/events';

/** Bounds of what the grader reads (its input tokens are billed). */
export const MAX_EVIDENCE_ITEMS = 20;
export const MAX_EVIDENCE_ITEM_CHARS = 2_000;
export const MAX_EVIDENCE_CHARS = 12_000;

export type ActiveVerification = VerifyResponseFeature & { graderModel: NonNullable<VerifyResponseFeature['graderModel']> };

/** The chat app's verification settings when verification is on (a stored config that no longer parses is off). */
export function verificationOf(app: ChatAppConfig): ActiveVerification | undefined {
  const raw = app.features?.verifyResponse;
  if (!raw?.enabled) return undefined;
  const parsed = verifyResponseFeatureSchema.safeParse(raw);
  if (!parsed.success || !parsed.data.graderModel) {
    logger.warn('verifyResponse feature ignored: invalid settings', { chatAppId: app.chatAppId });
    return undefined;
  }
  return parsed.data as ActiveVerification;
}

export const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max)}… [cut]`);
const flat = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? ''));

/** What one provider event tells of the evidence the agent used (none for most events). */
export function evidenceOf(event: ProviderEvent): string[] {
  if (event.type === 'tool') {
    if (event.phase === 'use') return [`Tool call ${event.name}: ${event.input || '{}'}`];
    return event.output ? [`Tool result (${event.status ?? 'unknown'}): ${event.output}`] : [];
  }
  if (event.type !== 'trace') return [];
  const o = event.trace.orchestrationTrace as OrchestrationTrace | undefined;
  const out: string[] = [];
  const call = o?.invocationInput?.actionGroupInvocationInput;
  if (call)
    out.push(`Action ${[call.actionGroupName, call.function ?? call.apiPath].filter(Boolean).join('.')}: ${flat(call.parameters ?? call.requestBody ?? {})}`);
  const obs = o?.observation;
  if (obs?.actionGroupInvocationOutput?.text) out.push(`Action result: ${obs.actionGroupInvocationOutput.text}`);
  for (const ref of obs?.knowledgeBaseLookupOutput?.retrievedReferences ?? []) {
    const where = ref?.location?.s3Location?.uri ?? ref?.location?.webLocation?.url ?? ref?.location?.type ?? 'knowledge base';
    if (ref?.content?.text) out.push(`Knowledge base reference (${where}): ${ref.content.text}`);
  }
  const code = obs?.codeInterpreterInvocationOutput;
  if (code?.executionOutput || code?.executionError) out.push(`Code interpreter: ${code.executionOutput ?? code.executionError}`);
  const collaborator = obs?.agentCollaboratorInvocationOutput;
  if (collaborator?.output?.text) out.push(`Collaborator ${collaborator.agentCollaboratorName ?? ''}: ${collaborator.output.text}`);
  return out;
}

/** Adds an event's evidence to `items`, within the item and character bounds. */
export function addEvidence(items: string[], event: ProviderEvent): void {
  for (const text of evidenceOf(event)) {
    const used = items.reduce((n, s) => n + s.length, 0);
    if (items.length >= MAX_EVIDENCE_ITEMS || used >= MAX_EVIDENCE_CHARS) return;
    items.push(cut(text, Math.min(MAX_EVIDENCE_ITEM_CHARS, MAX_EVIDENCE_CHARS - used)));
  }
}
