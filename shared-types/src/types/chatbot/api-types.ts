/**
 * Types of this backend's REST API that the spec does not cover: stored configuration, pages, errors and
 * request bodies. Re-exported by ./chatbot-types.
 */
import type { AgentCoreHarnessRef, AgentCoreRuntimeRef } from './agentcore-types';
import type { ChatAppBudgets } from './budget-types';
import type { ClientToolConfig } from './client-tools';
import type {
    ChatAppFeature,
    ChatMessageFile,
    ChatSessionFeedback,
    ChatUser,
    SessionFeedbackSeverity,
    SessionFeedbackStatus,
    SessionFeedbackType,
    SessionInsights,
    UserType,
    UserWidgetData,
} from './chatbot-types';

/** Who may use a chat app. Every rule given must pass; no rules = open to every signed-in user. */
export interface ChatAppAccessRules {
    userTypes?: UserType[];
    /** The caller needs at least one of these roles. */
    roles?: string[];
    /** The caller's customData[attributeName] must be one of `values`. */
    entity?: { attributeName: string; values: string[] };
}

export interface ChatAppConfig {
    chatAppId: string;
    title: string;
    enabled: boolean;
    /** The agent used when a converse request names none. */
    agentId: string;
    /** Agents a converse request may name (always includes agentId). */
    allowedAgentIds?: string[];
    /** Feature settings: the only source of features for converse (never the request body). */
    features?: ChatAppFeatures;
    access?: ChatAppAccessRules;
    /** Merged over the user's customData in the session attributes sent to the agent. */
    overrideData?: Record<string, unknown>;
    /** Top-level customData keys never sent to Bedrock. */
    privateAttributes?: string[];
    /** Stream agent traces to the client (`event: trace`). */
    streamTraces?: boolean;
    /** Functions the clients handle when the agent asks (docs/converse.md#human-in-the-loop); an ask for another fails the turn. */
    clientTools?: ClientToolConfig[];
    /** Budget defaults: per user, per entity (access.entity's attribute) and for the whole chat app. */
    budgets?: ChatAppBudgets;
    /** Bedrock model that writes the sessions' insights (Converse with a tool); absent = no generated insights. */
    insightsModel?: { modelId: string; pricing: ModelPricing };
    /** A session idle this long after its last answer gets insights for that activity (default 30). */
    insightsIdleMinutes?: number;
    /** A poor outcome (goal not_achieved, user (very_)dissatisfied) opens AI-reported feedback (default false). */
    insightsReportPoorOutcomes?: boolean;
    /**
     * Days a session of this chat app is kept after its last activity: the session and everything in it
     * (messages, feedback, insights, files) then expire together (1–3650; absent = the stage's default).
     */
    retentionDays?: number;
    createDate?: string;
    lastUpdate?: string;
}

/**
 * Where a session's generated insights stand (admins: `GET /sessions/{id}/insights/status`): due for the
 * latest activity, generated for it, or failed (never stored half-valid).
 */
export interface SessionInsightsStatus {
    sessionId: string;
    status: 'pending' | 'generated' | 'failed';
    /**
     * The session activity (time of an answer) this status is about. While pending, the activity it was last
     * scheduled for: answers since are caught up when it is due (the due time moves to theirs).
     */
    activity: string;
    /** pending: when the session counts as idle, unless answered since (then it is re-scheduled). */
    dueDate?: string;
    /** Times the sweep queued this activity. */
    attempts: number;
    modelId?: string;
    /** The model's usage for this activity (also added to the session's counters). */
    usage?: { inputTokens: number; outputTokens: number; totalCost: number };
    /** failed: why (the validation issues of the model's last answer, or the error). */
    error?: { code: string; message: string; issues?: string[] };
    lastUpdate: string;
}

/** A chat app's features by id; the features the server implements have typed settings. */
export type ChatAppFeatures = Record<string, ChatAppFeature> & { verifyResponse?: VerifyResponseFeature; fileUpload?: FileUploadFeature };

/** Grades of answer verification, best first. */
export const ANSWER_GRADES = ['A', 'B', 'C', 'F'] as const;
export type AnswerGrade = (typeof ANSWER_GRADES)[number];

/** Chat app feature `verifyResponse`: a grader model rates each answer; a low grade may be retried once. */
export interface VerifyResponseFeature {
    featureId: 'verifyResponse';
    enabled: boolean;
    /** The Bedrock model that grades (Converse with a forced tool); required when enabled. */
    graderModel?: { modelId: string; pricing: ModelPricing };
    /** Retry an answer graded this or worse (absent: never retry). */
    retryAtOrBelow?: AnswerGrade;
    /** Retries of one answer (default 1 when retryAtOrBelow is set). */
    maxRetries?: 0 | 1;
}

/** A grader's verdict (`event: verification`, `metadata.verification`); grade null: the grader failed, reason says how. */
export interface AnswerVerification {
    grade: AnswerGrade | null;
    reason: string;
}

/** USD per 1 000 tokens. */
export interface ModelPricing {
    inputPer1kTokens: number;
    outputPer1kTokens: number;
}

export interface BedrockAgentRef {
    kind: 'bedrock-agent';
    bedrockAgentId: string;
    bedrockAgentAliasId: string;
}

export interface InlineAgentDefinition {
    kind: 'inline';
    foundationModel: string;
    instruction: string;
    idleSessionTTLInSeconds?: number;
    /** The inline agent's name (InvokeInlineAgent `agentName`). */
    agentName?: string;
}

export interface AgentConfig {
    agentId: string;
    description?: string;
    /** Agents Classic (an agent and alias, or an inline definition) or AgentCore (a harness or a runtime agent). */
    agent: BedrockAgentRef | InlineAgentDefinition | AgentCoreHarnessRef | AgentCoreRuntimeRef;
    /**
     * After this many seconds without a turn the provider session may have expired, so the stored history is
     * sent again (default: the inline agent's idleSessionTTLInSeconds, 600 for Agents Classic, 900 for AgentCore;
     * 0: every turn, for a provider that keeps no session).
     */
    providerSessionIdleSeconds?: number;
    pricing: ModelPricing;
    /** Bedrock model for session titles; without one the title is the trimmed first message. */
    titleModel?: { modelId: string; pricing: ModelPricing };
    createDate?: string;
    lastUpdate?: string;
}

/** A page of a list; pass `nextCursor` back as `cursor` for the next one. Absent = last page. */
export interface Page<T> {
    items: T[];
    nextCursor?: string;
}

export interface ApiErrorBody {
    error: { code: string; message: string; details?: unknown };
}

export interface ListQuery {
    limit?: number;
    cursor?: string;
}

/** The orders of a session's messages: `asc` oldest first (the default), `desc` newest first. */
export const MESSAGE_LIST_ORDERS = ['asc', 'desc'] as const;
export type MessageListOrder = (typeof MESSAGE_LIST_ORDERS)[number];

/**
 * GET /sessions/{sessionId}/messages: `order: 'desc'` lists newest first, its `nextCursor` leading to older
 * messages (a chat UI opens a long session with one page of its newest messages). A cursor is bound to its
 * order: pass the same `order` with it.
 */
export interface ListMessagesQuery extends ListQuery {
    order?: MessageListOrder;
}

export interface UpdateMeRequest {
    firstName?: string;
    lastName?: string;
}

export type PutUserRequest = Omit<ChatUser<Record<string, unknown>>, 'userId' | 'createDate' | 'lastUpdate' | 'viewingContentFor'>;

export interface CreateSessionRequest {
    chatAppId: string;
    agentId?: string;
    title?: string;
    customData?: Record<string, unknown>;
}

export interface UpdateSessionRequest {
    title?: string;
    flaggedForHumanReview?: boolean;
}

export interface CreateFeedbackRequest {
    type: SessionFeedbackType;
    severity: SessionFeedbackSeverity;
    title: string;
    description: string;
}

export interface UpdateFeedbackRequest {
    status?: SessionFeedbackStatus;
    severity?: SessionFeedbackSeverity;
    /** Optimistic concurrency: the lastUpdate the writer saw; a newer one gives 409. */
    expectedLastUpdate?: string;
}

export interface AddFeedbackCommentRequest {
    comment: string;
}

export type PutInsightsRequest = SessionInsights;

export interface SetWidgetDataBody {
    data: UserWidgetData;
    partial?: boolean;
}

export type FeedbackItem = ChatSessionFeedback;

/** POST /sessions/{sessionId}/files: the file to upload (checked against the chat app's `fileUpload` feature). */
export interface CreateFileUploadRequest {
    fileName: string;
    mimeType: string;
    size: number;
}

/** Its answer: the file's record, and the form that uploads it (POST `url` with `fields`, then `file`). */
export interface FileUpload {
    file: ChatMessageFile;
    upload: { url: string; fields: Record<string, string>; expiresAt: string };
}

/** GET /sessions/{sessionId}/files/{fileId}: a short-lived link to the file. */
export interface FileDownload {
    file: ChatMessageFile;
    url: string;
    expiresAt: string;
}

/** The chat app feature `fileUpload` (features.fileUpload); absent, uploads follow the defaults. */
export interface FileUploadFeature {
    featureId: 'fileUpload';
    enabled: boolean;
    allowedMimeTypes?: string[];
    maxSizeBytes?: number;
    useCase?: 'CHAT' | 'CODE_INTERPRETER';
}
