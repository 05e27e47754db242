/**
 * Compile-time proof that the hand-written types and the zod schemas agree: each line fails `tsc` when a
 * field, its optionality or a union value differs on either side. (Mutual assignability, so `any` in the
 * spec's types matches `unknown` in the schemas.)
 */
import type * as z from 'zod';
import type * as T from '../types/chatbot/chatbot-types';
import type * as S from './index';

type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<X extends true> = X;
type Rec = Record<string, unknown>;

export type DriftChecks = [
    Assert<Agree<z.infer<typeof S.chatUserSchema>, T.ChatUser<Rec>>>,
    Assert<Agree<z.infer<typeof S.chatUserLiteSchema>, T.ChatUserLite>>,
    Assert<Agree<z.infer<typeof S.chatSessionSchema>, T.ChatSession<Rec>>>,
    Assert<Agree<z.infer<typeof S.chatMessageSchema>, T.ChatMessage>>,
    Assert<Agree<z.infer<typeof S.chatMessageUsageSchema>, T.ChatMessageUsage>>,
    Assert<Agree<z.infer<typeof S.chatMessageFileSchema>, T.ChatMessageFile>>,
    Assert<Agree<z.infer<typeof S.sessionInsightsSchema>, T.SessionInsights>>,
    Assert<Agree<z.infer<typeof S.chatSessionFeedbackSchema>, T.ChatSessionFeedback>>,
    Assert<Agree<z.infer<typeof S.feedbackInternalCommentSchema>, T.FeedbackInternalComment>>,
    Assert<Agree<z.infer<typeof S.userWidgetDataSchema>, T.UserWidgetData>>,
    Assert<Agree<z.infer<typeof S.chatAppConfigSchema>, T.ChatAppConfig>>,
    Assert<Agree<z.infer<typeof S.agentConfigSchema>, T.AgentConfig>>,
    Assert<Agree<z.infer<typeof S.sessionInsightsStatusSchema>, T.SessionInsightsStatus>>,
    Assert<Agree<z.infer<typeof S.converseRequestSchema>, T.ConverseRequest>>,
    Assert<Agree<z.infer<typeof S.sessionSearchRequestSchema>, T.SessionSearchRequest<Rec>>>,
    Assert<Agree<z.infer<typeof S.insightsSearchParamsSchema>, T.InsightsSearchParams>>,
    Assert<Agree<z.infer<typeof S.chatAppComponentConfigSchema>, T.ChatAppComponentConfig>>,
    Assert<Agree<z.infer<typeof S.updateMeRequestSchema>, T.UpdateMeRequest>>,
    Assert<Agree<z.infer<typeof S.putUserRequestSchema>, T.PutUserRequest>>,
    Assert<Agree<z.infer<typeof S.createSessionRequestSchema>, T.CreateSessionRequest>>,
    Assert<Agree<z.infer<typeof S.updateSessionRequestSchema>, T.UpdateSessionRequest>>,
    Assert<Agree<z.infer<typeof S.createFeedbackRequestSchema>, T.CreateFeedbackRequest>>,
    Assert<Agree<z.infer<typeof S.updateFeedbackRequestSchema>, T.UpdateFeedbackRequest>>,
    Assert<Agree<z.infer<typeof S.addFeedbackCommentRequestSchema>, T.AddFeedbackCommentRequest>>,
    Assert<Agree<z.infer<typeof S.putInsightsRequestSchema>, T.PutInsightsRequest>>,
    Assert<Agree<z.infer<typeof S.setWidgetDataBodySchema>, T.SetWidgetDataBody>>,
    Assert<Agree<z.infer<typeof S.listQuerySchema>, T.ListQuery>>,
    Assert<Agree<z.infer<typeof S.listMessagesQuerySchema>, T.ListMessagesQuery>>,
    Assert<Agree<z.infer<typeof S.createFileUploadRequestSchema>, T.CreateFileUploadRequest>>,
    Assert<Agree<z.infer<typeof S.fileUploadSchema>, T.FileUpload>>,
    Assert<Agree<z.infer<typeof S.fileDownloadSchema>, T.FileDownload>>,
    Assert<Agree<z.infer<typeof S.chatAppBudgetsSchema>, T.ChatAppBudgets>>,
    Assert<Agree<z.infer<typeof S.budgetLimitsSchema>, T.BudgetLimits>>,
    Assert<Agree<z.infer<typeof S.budgetOverrideSchema>, T.BudgetOverride>>,
    Assert<Agree<z.infer<typeof S.myBudgetSchema>, T.MyBudget>>,
    Assert<Agree<z.infer<typeof S.myUsageSchema>, T.MyUsage>>,
    Assert<Agree<z.infer<typeof S.adminUsageSchema>, T.UsageReport>>,
];
