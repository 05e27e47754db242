/**
 * The chat contract of ../shared/spec/session-user-types.md: same names, fields, optionality and unions.
 * Types the spec names without defining are defined at the end of the spec section they belong to and
 * documented in shared-types/README.md. API-only types (config, pages, errors, request bodies) live in
 * ./api-types and are re-exported here.
 */

/** A record of custom data, or nothing. */
export type RecordOrUndef = Record<string, any> | undefined;

export const USER_TYPES = ['internal-user', 'external-user'] as const;

/**
 * A user id is the identity provider's subject (the token's `sub`), so besides letters, digits and `. _ : @ -`
 * it may hold `|` and `+`, as in `auth0|abc` or `google-oauth2|123`; never `#` (the backend's key separator).
 * At most 128 characters.
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9._:@|+-]{1,128}$/;
export type UserType = (typeof USER_TYPES)[number];

export interface ChatUser<T extends RecordOrUndef = undefined> {
    userId: string;
    firstName?: string;
    lastName?: string;
    customData?: T;
    viewingContentFor?: Record<string, ChatUserLite>;
    overrideData?: Record<string, T>;
    createDate?: string;
    lastUpdate?: string;
    userType?: UserType;
    roles?: string[];
}

export interface ChatUserLite {
    userId: string;
    firstName?: string;
    lastName?: string;
    userType?: UserType;
}

export interface ChatSession<T extends RecordOrUndef = undefined> {
    userId: string;
    sessionId: string;
    chatAppId: string;
    agentId: string;
    title?: string;
    customData?: T;
    createDate: string;
    lastUpdate: string;
    inputTokens?: number;
    outputTokens?: number;
    totalCost?: number;
    /**
     * What generating the session's title cost (the title model's tokens and cost). The session's counters are its
     * messages' usage plus this (plus, in a chat app with generated insights, what the insights model cost).
     */
    titleUsage?: ChatMessageUsage;
    flaggedForHumanReview?: boolean;
    insights?: SessionInsights;
}

/** Runtime session state (not persisted). */
export interface SessionData {
    userId: string;
    sessionId: string;
    chatAppId: string;
    agentId: string;
    customData?: Record<string, any>;
}

export type SessionDataWithChatUserCustomDataSpreadIn = SessionData & {
    [key: string]: any;
};

export const CHAT_MESSAGE_ROLES = ['user', 'assistant', 'system'] as const;
export type ChatMessageRole = (typeof CHAT_MESSAGE_ROLES)[number];

export interface ChatMessage {
    userId: string;
    sessionId: string;
    messageId: string;
    role: 'user' | 'assistant' | 'system';
    content: string;
    createDate: string;
    usage?: ChatMessageUsage;
    files?: ChatMessageFile[];
    metadata?: Record<string, any>;
    /** Extension: who sent the message (converse `source`); 'component' messages are hidden from the history. */
    source?: ConverseSource;
    /** Extension: 'streaming' while an answer is being written, 'failed' when the agent failed mid-answer. */
    status?: ChatMessageStatus;
    /** Extension: the error of a failed assistant message. */
    error?: { code: string; message: string };
}

/**
 * `cancelled`: the user stopped the answer (POST /sessions/{sessionId}/cancel); the partial text is kept.
 * `awaiting-client`: the agent asked the client (metadata.toolRequests); the next converse request answers it.
 */
export const CHAT_MESSAGE_STATUSES = ['streaming', 'complete', 'failed', 'cancelled', 'awaiting-client'] as const;
export type ChatMessageStatus = (typeof CHAT_MESSAGE_STATUSES)[number];

export interface ChatMessageUsage {
    inputCost: number;
    inputTokens: number;
    outputCost: number;
    outputTokens: number;
    totalCost: number;
}

export interface ChatMessageFile {
    fileId: string;
    fileName: string;
    mimeType: string;
    size: number;
    s3Key: string;
    uploadDate: string;
}

export interface ConverseRequest extends BaseRequestData {
    message: string;
    features: ChatAppOverridableFeaturesForConverseFn;
    files?: ChatMessageFile[];
    agentId: string;
    entityAttributeNameInUserCustomData?: string;
    invocationMode?: ConverseInvocationMode;
    chatAppComponentConfig?: ChatAppComponentConfig;
    source: ConverseSource;
}

export const CONVERSE_INVOCATION_MODES = ['chat-app', 'direct-agent-invoke', 'chat-app-component'] as const;
export type ConverseInvocationMode = (typeof CONVERSE_INVOCATION_MODES)[number];

export const CONVERSE_SOURCES = ['user', 'component-as-user', 'component'] as const;
export type ConverseSource = (typeof CONVERSE_SOURCES)[number];

export interface BaseRequestData {
    userId: string;
    sessionId?: string;
    chatAppId?: string;
    agentId?: string;
    timezone?: string;
}

/**
 * Not defined by the spec. One entry per feature id; every feature has `featureId` and `enabled`, and may
 * carry its own settings. The server never trusts these from a request: it uses the chat app's settings.
 */
export interface ChatAppFeature {
    featureId: string;
    enabled: boolean;
    [setting: string]: unknown;
}
export type ChatAppOverridableFeaturesForConverseFn = Record<string, ChatAppFeature>;

/** Not defined by the spec: the widget (component) that invokes an agent in 'chat-app-component' mode. */
export interface ChatAppComponentConfig {
    componentId: string;
    /** Free-form settings of the component. */
    settings?: Record<string, unknown>;
}

/** Not defined by the spec: the non-streaming summary of a converse turn (the stream's `done` event). */
export interface ConverseResponse {
    sessionId: string;
    userMessageId: string;
    messageId: string;
    content: string;
    usage: ChatMessageUsage;
}

export interface SessionSearchRequest<T extends RecordOrUndef = undefined> {
    userId?: string;
    chatAppId?: string;
    sessionId?: string;
    customUserData?: T;
    titlePartial?: string;
    dateFilter?: SessionSearchDateFilter;
    flagged?: boolean;
    insights?: InsightsSearchParams;
    scrollId?: string;
    feedbackInStatus?: SessionFeedbackStatus[];
    feedbackReportedByHuman?: boolean;
    feedbackCreatedByCustomer?: boolean;
    feedbackSeverity?: SessionFeedbackSeverity[];
    feedbackType?: SessionFeedbackType[];
    feedbackUserId?: string;
    includeInsights?: boolean;
    includeFeedback?: boolean;
    sortBy?: Array<{
        field: SessionSearchSortField;
        order: 'asc' | 'desc';
    }>;
    size?: number;
}

export const SESSION_SEARCH_SORT_FIELDS = [
    'createDate',
    'lastUpdate',
    'sessionId',
    'inputTokens',
    'outputTokens',
    'totalCost',
    'insightGoalAchievementScore',
] as const;
export type SessionSearchSortField = (typeof SESSION_SEARCH_SORT_FIELDS)[number];

export interface SessionSearchDateFilter {
    dateType: 'created' | 'updated' | 'feedback';
    startDate: string;
    endDate?: string;
}

export interface SessionSearchResponse<T extends RecordOrUndef = undefined> {
    success: boolean;
    sessions: ChatSession<T>[];
    error?: string;
    scrollId?: string;
    total: number;
    pageSize: number;
}

/** Not defined by the spec: filters on a session's insights (all optional, combined with AND). */
export interface InsightsSearchParams {
    goalCompletionStatus?: SessionInsightGoalCompletionStatus[];
    satisfactionLevel?: SessionInsightSatisfactionLevel[];
    sentiment?: SessionInsightUserSentiment[];
    complexity?: SessionInsightMetricsComplexityLevel[];
    minGoalAchievementScore?: number;
    maxGoalAchievementScore?: number;
}

export interface SessionInsights {
    summary: string;
    goalAchievement: {
        score: number;
        status: SessionInsightGoalCompletionStatus;
        explanation: string;
    };
    userSatisfaction: {
        score: number;
        level: SessionInsightSatisfactionLevel;
        sentiment: SessionInsightUserSentiment;
        explanation: string;
    };
    aiPerformance: {
        overallScore: number;
        accuracy: number;
        efficiency: number;
        explanation: string;
    };
    interactionQuality: {
        score: number;
        explanation: string;
    };
    metrics: {
        sessionDuration: SessionInsightMetricsSessionDurationEstimate;
        complexity: SessionInsightMetricsComplexityLevel;
        userEffort: SessionInsightMetricsUserEffortRequired;
        aiConfidence: SessionInsightMetricsAiConfidenceLevel;
    };
    generateDate: string;
}

export const SESSION_INSIGHT_GOAL_COMPLETION_STATUSES = ['fully_achieved', 'partially_achieved', 'not_achieved', 'unclear'] as const;
export type SessionInsightGoalCompletionStatus = (typeof SESSION_INSIGHT_GOAL_COMPLETION_STATUSES)[number];

export const SESSION_INSIGHT_SATISFACTION_LEVELS = ['very_satisfied', 'satisfied', 'neutral', 'dissatisfied', 'very_dissatisfied'] as const;
export type SessionInsightSatisfactionLevel = (typeof SESSION_INSIGHT_SATISFACTION_LEVELS)[number];

export const SESSION_INSIGHT_USER_SENTIMENTS = ['positive', 'neutral', 'negative', 'mixed'] as const;
export type SessionInsightUserSentiment = (typeof SESSION_INSIGHT_USER_SENTIMENTS)[number];

export const SESSION_INSIGHT_DURATION_ESTIMATES = ['very_short', 'short', 'medium', 'long', 'very_long'] as const;
export type SessionInsightMetricsSessionDurationEstimate = (typeof SESSION_INSIGHT_DURATION_ESTIMATES)[number];

export const SESSION_INSIGHT_COMPLEXITY_LEVELS = ['simple', 'moderate', 'complex', 'very_complex'] as const;
export type SessionInsightMetricsComplexityLevel = (typeof SESSION_INSIGHT_COMPLEXITY_LEVELS)[number];

export const SESSION_INSIGHT_USER_EFFORT_LEVELS = ['minimal', 'low', 'moderate', 'high', 'very_high'] as const;
export type SessionInsightMetricsUserEffortRequired = (typeof SESSION_INSIGHT_USER_EFFORT_LEVELS)[number];

export const SESSION_INSIGHT_AI_CONFIDENCE_LEVELS = ['very_high', 'high', 'moderate', 'low', 'very_low'] as const;
export type SessionInsightMetricsAiConfidenceLevel = (typeof SESSION_INSIGHT_AI_CONFIDENCE_LEVELS)[number];

export interface ChatSessionFeedback {
    feedbackId: string;
    sessionId: string;
    userId: string;
    type: SessionFeedbackType;
    severity: SessionFeedbackSeverity;
    status: SessionFeedbackStatus;
    title: string;
    description: string;
    reportedByHuman: boolean;
    createdByCustomer: boolean;
    createDate: string;
    lastUpdate: string;
    internalComments?: FeedbackInternalComment[];
}

export const SESSION_FEEDBACK_TYPES = ['incorrect_response', 'incomplete_response', 'inappropriate_content', 'technical_error', 'other'] as const;
export type SessionFeedbackType = (typeof SESSION_FEEDBACK_TYPES)[number];

export const SESSION_FEEDBACK_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type SessionFeedbackSeverity = (typeof SESSION_FEEDBACK_SEVERITIES)[number];

export const SESSION_FEEDBACK_STATUSES = ['new', 'in_progress', 'resolved', 'dismissed'] as const;
export type SessionFeedbackStatus = (typeof SESSION_FEEDBACK_STATUSES)[number];

/** Not defined by the spec: a note an admin adds to a feedback item. */
export interface FeedbackInternalComment {
    commentId: string;
    comment: string;
    /** userId of the admin who wrote it. */
    createdBy: string;
    createDate: string;
}

export type UserWidgetData = Record<string, unknown>;

export interface GetUserWidgetDataRequest {
    scope: string;
    tag: string;
}

export interface SetUserWidgetDataRequest {
    scope: string;
    tag: string;
    data: UserWidgetData;
    partial?: boolean;
}

export * from './api-types';
export * from './budget-types';
export * from './client-tools';
