/**
 * Schemas for the AgentCore agent kinds (`agentcore-harness`, `agentcore-runtime`). The integrator adds
 * `agentCoreHarnessSchema` and `agentCoreRuntimeSchema` to `agentConfigSchema.agent`'s discriminated union.
 * ARNs follow the shapes the service documents: `…:harness/<name>-<10 letters or digits>` (name
 * `[a-zA-Z][a-zA-Z0-9_]{0,39}`) and `…:runtime/<name>-<10 letters or digits>` (name `[a-zA-Z][a-zA-Z0-9_]{0,47}`).
 */
import * as z from 'zod';
import type { AgentCoreHarnessRef, AgentCoreRuntimeRef } from '../types/chatbot/agentcore-types';
import { shortText } from './common';

const ARN_PREFIX = String.raw`^arn:aws(?:-[a-z]+)*:bedrock-agentcore:[a-z0-9-]+:\d{12}:`;
export const HARNESS_ARN_PATTERN = new RegExp(`${ARN_PREFIX}harness/[a-zA-Z][a-zA-Z0-9_]{0,39}-[a-zA-Z0-9]{10}$`);
export const AGENT_RUNTIME_ARN_PATTERN = new RegExp(`${ARN_PREFIX}runtime/[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}$`);
/** The longest ARN AWS accepts (its APIs' limit for an ARN): the patterns leave partition and region open. */
export const AGENTCORE_ARN_MAX = 2048;
/** Endpoint names (`DEFAULT` or one you created). */
export const AGENTCORE_QUALIFIER_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/;

const qualifier = z.string().max(48).regex(AGENTCORE_QUALIFIER_PATTERN, 'an endpoint name: a letter, then letters, digits or _ (at most 48)');

export const agentCoreHarnessOverridesSchema = z.object({
    modelId: shortText(256).min(1).optional(),
    systemPrompt: shortText(20_000).min(1).optional(),
    allowedTools: z.array(shortText(256).min(1)).max(100).optional(),
    maxIterations: z.number().int().min(1).max(500).optional(),
    maxTokens: z.number().int().min(1).max(200_000).optional(),
    timeoutSeconds: z.number().int().min(1).max(28_800).optional(),
});

export const agentCoreHarnessSchema = z.object({
    kind: z.literal('agentcore-harness'),
    harnessArn: z
        .string()
        .max(AGENTCORE_ARN_MAX)
        .regex(HARNESS_ARN_PATTERN, 'a harness ARN: arn:aws:bedrock-agentcore:<region>:<account>:harness/<name>-<10 letters or digits>'),
    qualifier: qualifier.optional(),
    overrides: agentCoreHarnessOverridesSchema.optional(),
});

export const agentCoreRuntimeSchema = z.object({
    kind: z.literal('agentcore-runtime'),
    agentRuntimeArn: z
        .string()
        .max(AGENTCORE_ARN_MAX)
        .regex(AGENT_RUNTIME_ARN_PATTERN, 'an agent runtime ARN: arn:aws:bedrock-agentcore:<region>:<account>:runtime/<name>-<10 letters or digits>'),
    qualifier: qualifier.optional(),
    /** The runtime's server protocol (HTTP when absent); AGUI: RunAgentInput in, AG-UI events out. */
    protocol: z.enum(['HTTP', 'AGUI']).optional(),
});

export const agentCoreAgentSchema = z.discriminatedUnion('kind', [agentCoreHarnessSchema, agentCoreRuntimeSchema]);

// Compile-time drift check against the hand-written types (as ./drift-check does for the other schemas).
type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<X extends true> = X;
export type AgentCoreDriftChecks = [
    Assert<Agree<z.infer<typeof agentCoreHarnessSchema>, AgentCoreHarnessRef>>,
    Assert<Agree<z.infer<typeof agentCoreRuntimeSchema>, AgentCoreRuntimeRef>>,
];
