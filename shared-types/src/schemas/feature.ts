/** Chat app features: the generic shape, and `verifyResponse` (answer verification, docs/converse.md). */
import * as z from 'zod';
import { ANSWER_GRADES } from '../types/chatbot/chatbot-types';
import { idSchema, refineSafeShape, shortText } from './common';
import { modelPricingSchema } from './pricing';

/** Any feature: its id and switch, and settings of its own, without prototype-pollution keys or nesting deeper than 16. */
export const chatAppFeatureSchema = z.looseObject({ featureId: idSchema, enabled: z.boolean() }).superRefine((feature, ctx) => refineSafeShape(feature, ctx));

/** Chat app feature `verifyResponse` (answer verification, docs/converse.md). */
export const verifyResponseFeatureSchema = z
    .strictObject({
        featureId: z.literal('verifyResponse'),
        enabled: z.boolean(),
        graderModel: z.object({ modelId: shortText(256).min(1), pricing: z.lazy(() => modelPricingSchema) }).optional(),
        retryAtOrBelow: z.enum(ANSWER_GRADES).optional(),
        maxRetries: z.union([z.literal(0), z.literal(1)]).optional(),
    })
    .refine((f) => !f.enabled || f.graderModel, { path: ['graderModel'], message: 'required when the feature is enabled' });
