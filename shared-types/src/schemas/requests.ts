/** Schemas of request bodies and queries. Request objects are strict: unknown keys are rejected. */
export { updateMeRequestSchema, putUserRequestSchema } from './user';
export { putChatUserSchema } from './user-record';
export { putInsightsRequestSchema } from './insights';
export { createSessionRequestSchema, updateSessionRequestSchema } from './session';
export { insightsSearchParamsSchema, sessionSearchRequestSchema } from './session-search';
export { createFeedbackRequestSchema, updateFeedbackRequestSchema, addFeedbackCommentRequestSchema, feedbackListQuerySchema } from './feedback';
export { setWidgetDataBodySchema } from './widget-data';
export { LIST_LIMIT_MAX, LIST_LIMIT_DEFAULT, listQuerySchema, listMessagesQuerySchema } from './list';
export { chatAppComponentConfigSchema, converseRequestSchema, converseWireRequestSchema } from './converse';
export * from './protocols';
