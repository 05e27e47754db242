/** Agent configuration: the provider kinds (Agents Classic, inline, AgentCore harness and runtime), pricing and title model. */
import * as z from 'zod';
import { idSchema, isoDateSchema, shortText } from './common';
import { agentCoreHarnessSchema, agentCoreRuntimeSchema } from './agentcore';
import { modelPricingSchema } from './pricing';

export const agentConfigSchema = z.object({
    agentId: idSchema,
    description: shortText(1_000).optional(),
    agent: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('bedrock-agent'), bedrockAgentId: shortText(64).min(1), bedrockAgentAliasId: shortText(64).min(1) }),
        z.object({
            kind: z.literal('inline'),
            foundationModel: shortText(256).min(1),
            instruction: shortText(20_000).min(40),
            idleSessionTTLInSeconds: z.number().int().min(60).max(3600).optional(),
            agentName: z
                .string()
                .max(200)
                .regex(/^([0-9a-zA-Z][_-]?){1,100}$/, 'letters and digits, single - or _ between them')
                .optional(),
        }),
        agentCoreHarnessSchema,
        agentCoreRuntimeSchema,
    ]),
    providerSessionIdleSeconds: z.number().int().min(0).max(28_800).optional(),
    pricing: modelPricingSchema,
    titleModel: z.object({ modelId: shortText(256).min(1), pricing: modelPricingSchema }).optional(),
    createDate: isoDateSchema.optional(),
    lastUpdate: isoDateSchema.optional(),
});
