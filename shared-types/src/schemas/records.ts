/** Schemas of the stored records (what the API returns). Drift against the types is checked in ./drift-check. */
export { userTypeSchema } from './user';
export { chatUserLiteSchema, chatUserSchema } from './user-record';
export { sessionInsightsSchema, sessionInsightsStatusSchema } from './insights';
export { chatSessionSchema } from './session-record';
export { chatMessageUsageSchema, chatMessageFileSchema, chatMessageSchema } from './message';
export { feedbackInternalCommentSchema, chatSessionFeedbackSchema } from './feedback-record';
export { userWidgetDataSchema } from './widget-data';
export { chatAppFeatureSchema, verifyResponseFeatureSchema } from './feature';
export { chatAppFeaturesSchema, chatAppConfigSchema } from './chat-app';
export { modelPricingSchema } from './pricing';
export { agentConfigSchema } from './agent';
