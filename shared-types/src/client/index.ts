/**
 * Typed fetch client for web apps. Route ids, methods and paths come from the route table
 * (routes.gen.ts, generated); request and response types are checked against the route table's schemas at
 * compile time on the backend side (functions/http/client-drift-check.ts).
 */
import type {
    AddFeedbackCommentRequest,
    AgentConfig,
    AnswerVerification,
    BudgetLimits,
    BudgetOverride,
    ChatAppConfig,
    ChatMessage,
    ChatSession,
    ChatSessionFeedback,
    ChatUser,
    ConverseRequest,
    ConverseToolResult,
    ToolRequest,
    CreateFeedbackRequest,
    CreateFileUploadRequest,
    CreateSessionRequest,
    FileDownload,
    FileUpload,
    ListMessagesQuery,
    ListQuery,
    MyBudget,
    MyUsage,
    Page,
    PutUserRequest,
    RecordOrUndef,
    SessionFeedbackSeverity,
    SessionFeedbackStatus,
    SessionFeedbackType,
    SessionInsights,
    SessionInsightsStatus,
    SessionSearchRequest,
    SessionSearchResponse,
    SetWidgetDataBody,
    UpdateFeedbackRequest,
    UpdateMeRequest,
    UpdateSessionRequest,
    UsageGroupBy,
    UsageReport,
    UserWidgetData,
} from '../types/chatbot/chatbot-types';
import { API_ROUTES } from './routes.gen';

export { API_ROUTES };
type Rec = Record<string, unknown>;
type SessionP = { sessionId: string };
type FeedbackP = { sessionId: string; feedbackId: string };
type WidgetP = { scope: string; tag: string };
type Widget = { scope: string; tag: string; data: UserWidgetData };
type Deleted = { deleted: true };
/** One record of a user's memory (GET /users/me/memory): `recordId` is `<memory id>:<memory record id>`. */
export type UserErasure = {
    userId: string;
    status: 'running' | 'done' | 'failed';
    requestedAt: string;
    lastUpdate: string;
    finishedAt?: string;
    requestedBy: 'user' | 'admin';
    phase?: string;
    counts?: Record<string, number>;
    error?: { code: string; message: string };
};
/** An export of the caller's data (POST /users/me/exports): `downloadUrl` only when done, short-lived. */
export type UserExport = {
    exportId: string;
    status: 'running' | 'done' | 'failed';
    createdAt: string;
    completedAt?: string;
    downloadUrl?: string;
    downloadUrlExpiresAt?: string;
    expiresAt?: string;
    counts?: Record<string, number>;
    error?: { code: string; message: string };
};
export type UserMemoryRecord = { recordId: string; memoryId: string; content: string; namespaces: string[]; strategyId?: string; createdAt: string };
type ChatAppBody = Omit<ChatAppConfig, 'chatAppId' | 'createDate' | 'lastUpdate'>;
type AgentBody = Omit<AgentConfig, 'agentId' | 'createDate' | 'lastUpdate'>;

/** What POST /converse accepts: the spec's ConverseRequest; userId/features are ignored by the server. */
export type ConverseBody = Partial<Pick<ConverseRequest, 'userId' | 'agentId' | 'source' | 'message'>> &
    Omit<ConverseRequest, 'userId' | 'features' | 'agentId' | 'source' | 'message'> & {
        features?: Record<string, unknown>;
        clientMessageId?: string;
        /** Answers to the tool requests of the answer awaiting the client (instead of `message`). */
        toolResults?: ConverseToolResult[];
    };

/** What the AI SDK's DefaultChatTransport sends to POST /converse/ai-sdk (`body: { chatAppId }` added). */
export type AiSdkChatBody = {
    id: string;
    messages: { id: string; role: 'system' | 'user' | 'assistant'; parts: { type: string; text?: string; [k: string]: unknown }[]; [k: string]: unknown }[];
    trigger?: 'submit-message' | 'regenerate-message';
    messageId?: string;
    chatAppId: string;
    agentId?: string;
    timezone?: string;
    [k: string]: unknown;
};
/** What AG-UI's HttpAgent sends to POST /converse/ag-ui (RunAgentInput; `forwardedProps: { chatAppId }` given to runAgent). */
export type AgUiRunBody = {
    threadId: string;
    runId: string;
    parentRunId?: string;
    messages: {
        id: string;
        role: 'developer' | 'system' | 'assistant' | 'user' | 'tool' | 'activity' | 'reasoning';
        content?: string | { type: string; text?: string; [k: string]: unknown }[];
        [k: string]: unknown;
    }[];
    tools?: { name: string; [k: string]: unknown }[];
    context?: { description: string; value: string; [k: string]: unknown }[];
    state?: unknown;
    forwardedProps: { chatAppId: string; agentId?: string; timezone?: string; [k: string]: unknown };
    [k: string]: unknown;
};

export interface PikaApiRoutes {
    getMe: { response: ChatUser<RecordOrUndef> };
    updateMe: { body: UpdateMeRequest; response: ChatUser<RecordOrUndef> };
    searchUsers: { query: { prefix: string }; response: { items: ChatUser<RecordOrUndef>[] } };
    getUser: { params: { userId: string }; response: ChatUser<RecordOrUndef> };
    putUser: { params: { userId: string }; body: PutUserRequest; response: ChatUser<RecordOrUndef> };
    listMyMemory: { query: ListQuery; response: Page<UserMemoryRecord> };
    forgetMyMemory: { response: { deleted: true; records: number; events: number } };
    deleteMyMemoryRecord: { params: { recordId: string }; response: Deleted };
    listUserMemory: { params: { userId: string }; query: ListQuery; response: Page<UserMemoryRecord> };
    eraseMe: { response: UserErasure };
    getMyErasure: { response: UserErasure };
    eraseUser: { params: { userId: string }; response: UserErasure };
    getUserErasure: { params: { userId: string }; response: UserErasure };
    createMyExport: { response: UserExport };
    getMyExport: { params: { exportId: string }; response: UserExport };
    createSession: { body: CreateSessionRequest; response: ChatSession<RecordOrUndef> };
    listSessions: { query: ListQuery & { chatAppId?: string }; response: Page<ChatSession<RecordOrUndef>> };
    searchSessions: { body: SessionSearchRequest<Rec>; response: SessionSearchResponse<RecordOrUndef> };
    getSession: { params: SessionP; response: ChatSession<RecordOrUndef> };
    updateSession: { params: SessionP; body: UpdateSessionRequest; response: ChatSession<RecordOrUndef> };
    deleteSession: { params: SessionP; response: Deleted };
    cancelSession: { params: SessionP; response: { cancelRequested: true } };
    createFileUpload: { params: SessionP; body: CreateFileUploadRequest; response: FileUpload };
    getFile: { params: { sessionId: string; fileId: string }; response: FileDownload };
    listMessages: { params: SessionP; query: ListMessagesQuery; response: Page<ChatMessage> };
    createFeedback: { params: SessionP; body: CreateFeedbackRequest; response: ChatSessionFeedback };
    listSessionFeedback: { params: SessionP; query: ListQuery; response: Page<ChatSessionFeedback> };
    updateFeedback: { params: FeedbackP; body: UpdateFeedbackRequest; response: ChatSessionFeedback };
    addFeedbackComment: { params: FeedbackP; body: AddFeedbackCommentRequest; response: ChatSessionFeedback };
    listFeedback: {
        query: ListQuery & { status?: SessionFeedbackStatus; severity?: SessionFeedbackSeverity; type?: SessionFeedbackType };
        response: Page<ChatSessionFeedback>;
    };
    getInsights: { params: SessionP; response: SessionInsights };
    putInsights: { params: SessionP; body: SessionInsights; response: SessionInsights };
    getInsightsStatus: { params: SessionP; response: SessionInsightsStatus };
    getWidgetData: { params: WidgetP; response: Widget };
    putWidgetData: { params: WidgetP; body: SetWidgetDataBody; response: Widget };
    deleteWidgetData: { params: WidgetP; response: Deleted };
    getChatApp: { params: { chatAppId: string }; response: ChatAppConfig };
    putChatApp: { params: { chatAppId: string }; body: ChatAppBody; response: ChatAppConfig };
    getAgent: { params: { agentId: string }; response: AgentConfig };
    putAgent: { params: { agentId: string }; body: AgentBody; response: AgentConfig };
    getMyBudget: { query: { chatAppId?: string }; response: MyBudget };
    getMyUsage: { query: { chatAppId: string; from?: string; to?: string }; response: MyUsage };
    getUserBudget: { params: { chatAppId: string; userId: string }; response: BudgetOverride };
    putUserBudget: { params: { chatAppId: string; userId: string }; body: BudgetLimits; response: BudgetOverride };
    deleteUserBudget: { params: { chatAppId: string; userId: string }; response: Deleted };
    getEntityBudget: { params: { chatAppId: string; entityId: string }; response: BudgetOverride };
    putEntityBudget: { params: { chatAppId: string; entityId: string }; body: BudgetLimits; response: BudgetOverride };
    deleteEntityBudget: { params: { chatAppId: string; entityId: string }; response: Deleted };
    getUsageReport: {
        query: { chatAppId: string; from?: string; to?: string; groupBy?: UsageGroupBy; limit?: number; cursor?: string };
        response: UsageReport;
    };
    converse: { body: ConverseBody; response: ConverseDone };
    /** For the AI SDK's DefaultChatTransport (docs/converse.md#client-protocols); not called through this client. */
    converseAiSdk: { body: AiSdkChatBody; response: ConverseDone };
    /** For AG-UI's HttpAgent (docs/converse.md#client-protocols); not called through this client. */
    converseAgUi: { body: AgUiRunBody; response: { sessionId: string; messageId: string } };
}

/** The routes that stream their answer (`converse()` reads ours; the libraries read the protocol routes). */
type StreamingRouteName = 'converse' | 'converseAiSdk' | 'converseAgUi';

export type RouteName = keyof PikaApiRoutes;
type InputOf<K extends RouteName> = Omit<PikaApiRoutes[K], 'response'>;

/** Server-Sent Events of POST /converse. */
export type ConverseEvent =
    | { event: 'session'; data: { sessionId: string; userMessageId: string } }
    | { event: 'chunk'; data: { text: string } }
    | { event: 'trace'; data: unknown }
    | { event: 'tool'; data: { phase: 'use'; toolUseId: string; name: string } | { phase: 'result'; toolUseId: string; status?: 'success' | 'error' } }
    /** Answer verification (chat app feature verifyResponse): the grade of the answer just streamed; grade null = not verified. */
    | { event: 'verification'; data: AnswerVerification }
    /** The answer was graded too low and is being retried: the corrected answer's chunks follow. */
    | { event: 'retry'; data: AnswerVerification }
    /** The agent asks the client to run a function (`client-tool`) or approve one (`approval`): answer with `toolResults`. */
    | { event: 'tool_request'; data: ToolRequest }
    | { event: 'done'; data: ConverseDone }
    | { event: 'error'; data: { code: string; message: string } };
export interface ConverseDone {
    sessionId: string;
    userMessageId: string;
    messageId: string;
    usage: unknown;
    /** The user stopped the answer (cancelSession); the partial answer is stored as `cancelled`. */
    cancelled?: boolean;
    /** A retried request: the stored outcome, not a new turn. */
    replayed?: boolean;
    /**
     * The answer could not be stored at once (the database failing): it is queued and stored shortly, exactly
     * once, under `messageId` — it appears in the session's messages then.
     */
    deferred?: boolean;
    /** The answer awaits the client's answers to its `tool_request`s (status `awaiting-client`). */
    awaitingClient?: boolean;
}

export class PikaApiError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
        readonly details?: unknown,
    ) {
        super(message);
        this.name = 'PikaApiError';
    }
}

export interface PikaClientOptions {
    baseUrl: string;
    /** The bearer token (called per request, so it can refresh). */
    token: () => string | Promise<string>;
    fetch?: typeof fetch;
}

function urlOf(baseUrl: string, path: string, input: { params?: Rec; query?: Rec }): string {
    const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(input.params?.[name] ?? '')));
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(input.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return `${baseUrl.replace(/\/$/, '')}${filled}${q ? `?${q}` : ''}`;
}

/** Parses a text/event-stream body into events as they arrive. */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ConverseEvent> {
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = body.getReader();
    try {
        for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
                const block = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                let event = 'message';
                const data: string[] = [];
                for (const line of block.split('\n')) {
                    if (line.startsWith('event:')) event = line.slice(6).trim();
                    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
                }
                if (data.length) yield { event, data: JSON.parse(data.join('\n')) } as ConverseEvent;
            }
        }
    } finally {
        reader.releaseLock();
    }
}

export function createPikaClient(opts: PikaClientOptions) {
    const doFetch = opts.fetch ?? fetch;
    const routeOf = (id: RouteName) => API_ROUTES.find((r) => r.id === id)!;

    async function send(
        id: RouteName,
        input: { params?: Rec; query?: Rec; body?: unknown },
        init: { signal?: AbortSignal; headers?: Record<string, string> } = {},
    ) {
        const route = routeOf(id);
        const res = await doFetch(urlOf(opts.baseUrl, route.path, input), {
            method: route.method,
            headers: {
                authorization: `Bearer ${await opts.token()}`,
                ...(input.body !== undefined ? { 'content-type': 'application/json' } : {}),
                ...init.headers,
            },
            ...(input.body !== undefined ? { body: JSON.stringify(input.body) } : {}),
            ...(init.signal ? { signal: init.signal } : {}),
        });
        if (!res.ok) {
            const payload = (await res.json().catch(() => undefined)) as { error?: { code: string; message: string; details?: unknown } } | undefined;
            throw new PikaApiError(res.status, payload?.error?.code ?? 'HTTP_ERROR', payload?.error?.message ?? res.statusText, payload?.error?.details);
        }
        return res;
    }

    return {
        /** Calls a JSON route by its id; throws PikaApiError with the server's error code on 4xx/5xx. */
        async call<K extends Exclude<RouteName, StreamingRouteName>>(
            id: K,
            input: InputOf<K>,
            init?: { signal?: AbortSignal },
        ): Promise<PikaApiRoutes[K]['response']> {
            const res = await send(id, input as { params?: Rec; query?: Rec; body?: unknown }, init);
            return (await res.json()) as PikaApiRoutes[K]['response'];
        },
        /** POST /converse: yields session, chunk, trace, tool, tool_request, verification, retry, done or error events as the answer streams. */
        async *converse(body: ConverseBody, init: { signal?: AbortSignal; idempotencyKey?: string } = {}): AsyncGenerator<ConverseEvent> {
            const res = await send(
                'converse',
                { body },
                { ...(init.signal ? { signal: init.signal } : {}), ...(init.idempotencyKey ? { headers: { 'idempotency-key': init.idempotencyKey } } : {}) },
            );
            if (!res.body) return;
            yield* readServerSentEvents(res.body);
        },
    };
}

export type PikaClient = ReturnType<typeof createPikaClient>;
