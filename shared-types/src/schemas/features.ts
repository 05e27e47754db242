/** The chat app features with typed settings: each checked with its own schema inside `features`. */
import type { z } from 'zod';
import { userMemoryFeatureSchema } from './memory';

const KNOWN_FEATURES: Record<string, z.ZodType> = { userMemory: userMemoryFeatureSchema };

export function checkKnownFeatures(features: Record<string, unknown>, ctx: z.RefinementCtx): void {
    for (const [id, schema] of Object.entries(KNOWN_FEATURES)) {
        if (features[id] === undefined) continue;
        const parsed = schema.safeParse(features[id]);
        if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [id, ...issue.path] });
    }
}
