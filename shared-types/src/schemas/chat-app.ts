/** Chat app configuration and its features by id. */
import * as z from 'zod';
import { idKeySchema, idSchema, isoDateSchema, nonNegative, safeRecordSchema, shortText, TITLE_MAX } from './common';
import { userMemoryFeatureSchema } from './memory';
import { fileUploadFeatureSchema } from './file-feature';
import { chatAppBudgetsSchema } from './budgets';
import { userTypeSchema } from './user';
import { chatAppFeatureSchema, verifyResponseFeatureSchema } from './feature';
import { clientToolsSchema } from './client-tools';

/** A chat app's features by id; the features the server implements are checked against their own schema. */
export const chatAppFeaturesSchema = z.record(idKeySchema, chatAppFeatureSchema).pipe(
    z
        .object({
            verifyResponse: verifyResponseFeatureSchema.optional(),
            userMemory: userMemoryFeatureSchema.optional(),
            fileUpload: fileUploadFeatureSchema.optional(),
        })
        .catchall(chatAppFeatureSchema),
);

/** Bounds of a chat app's `retentionDays` (and of the stage default). */
export const RETENTION_DAYS_MIN = 1;
export const RETENTION_DAYS_MAX = 3650;

export const chatAppConfigSchema = z.object({
    chatAppId: idSchema,
    title: shortText(TITLE_MAX),
    enabled: z.boolean(),
    agentId: idSchema,
    allowedAgentIds: z.array(idSchema).max(50).optional(),
    features: chatAppFeaturesSchema.optional(),
    access: z
        .object({
            userTypes: z.array(userTypeSchema).max(userTypeSchema.options.length).optional(),
            roles: z.array(shortText(128)).max(50).optional(),
            entity: z.object({ attributeName: shortText(128), values: z.array(shortText(256)).max(1000) }).optional(),
        })
        .optional(),
    overrideData: safeRecordSchema.optional(),
    privateAttributes: z.array(shortText(128)).max(100).optional(),
    streamTraces: z.boolean().optional(),
    clientTools: clientToolsSchema.optional(),
    budgets: chatAppBudgetsSchema.optional(),
    insightsModel: z
        .object({ modelId: shortText(256).min(1), pricing: z.object({ inputPer1kTokens: nonNegative, outputPer1kTokens: nonNegative }) })
        .optional(),
    insightsIdleMinutes: z.number().int().min(1).max(10_080).optional(),
    insightsReportPoorOutcomes: z.boolean().optional(),
    retentionDays: z.number().int().min(RETENTION_DAYS_MIN).max(RETENTION_DAYS_MAX).optional(),
    createDate: isoDateSchema.optional(),
    lastUpdate: isoDateSchema.optional(),
});
