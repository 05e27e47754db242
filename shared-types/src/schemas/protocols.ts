/**
 * What the chat front ends' own protocols send to converse (docs/converse.md#client-protocols): the Vercel AI SDK's
 * `DefaultChatTransport` (UI message stream v1) and AG-UI's `HttpAgent` (RunAgentInput). Loose objects, as the
 * libraries add fields of their own from version to version; every string and array the server reads is bounded.
 * The server takes the newest user message as the turn: the history is the server's.
 */
import * as z from 'zod';
import { idSchema, timeZoneSchema } from './common';
import { MAX_TOOL_REQUESTS, TOOL_OUTPUT_MAX } from './client-tools';

export const AI_SDK_PROTOCOL = 'ai-sdk-ui-message-stream/v1';
export const AG_UI_PROTOCOL = 'ag-ui/1.0';

/** Earlier messages come back with the answers in them (answers are cut at 300 KiB). */
const HISTORY_TEXT_MAX = 400_000;
const CLIENT_ID_MAX = 256;
const MAX_MESSAGES = 2_000;
const MAX_PARTS = 200;

/** What every protocol request may carry for the server, beside its chat app (chatAppId). */
const turnFields = {
    chatAppId: idSchema,
    agentId: idSchema.optional(),
    timezone: timeZoneSchema.optional(),
};

/** A part: text, or a tool part (`tool-<name>` / `dynamic-tool`: its toolCallId and state; its output is checked when read). */
const uiMessagePartSchema = z.looseObject({
    type: z.string().min(1).max(128),
    text: z.string().max(HISTORY_TEXT_MAX).optional(),
    toolCallId: z.string().max(CLIENT_ID_MAX).optional(),
    state: z.string().max(64).optional(),
});

/** One `UIMessage` as `useChat` keeps it (its other fields — metadata, tool parts' state — are the client's). */
export const uiMessageSchema = z.looseObject({
    id: z.string().max(CLIENT_ID_MAX),
    role: z.enum(['system', 'user', 'assistant']),
    parts: z.array(uiMessagePartSchema).max(MAX_PARTS),
});

/**
 * The AI SDK chat request (`DefaultChatTransport({ api, headers, body: { chatAppId } })`): `id` is the chat's id
 * (the conversation: docs/converse.md#client-conversation-ids), `messages` the chat so far, `trigger` why it was sent.
 */
export const aiSdkChatRequestSchema = z
    .looseObject({
        id: idSchema,
        messages: z.array(uiMessageSchema).min(1).max(MAX_MESSAGES),
        trigger: z.enum(['submit-message', 'regenerate-message']).optional(),
        messageId: z.string().max(CLIENT_ID_MAX).optional(),
        ...turnFields,
    })
    .meta({ 'x-protocol': AI_SDK_PROTOCOL });

const agUiContentPartSchema = z.looseObject({ type: z.string().min(1).max(64), text: z.string().max(HISTORY_TEXT_MAX).optional() });

/** One AG-UI message (user, assistant, tool, …); only a user message's text is read. */
export const agUiMessageSchema = z.looseObject({
    id: z.string().max(CLIENT_ID_MAX),
    role: z.enum(['developer', 'system', 'assistant', 'user', 'tool', 'activity', 'reasoning']),
    content: z.union([z.string().max(HISTORY_TEXT_MAX), z.array(agUiContentPartSchema).max(MAX_PARTS)]).optional(),
    /** A `role: "tool"` message: the tool call it answers. */
    toolCallId: z.string().max(CLIENT_ID_MAX).optional(),
});

/**
 * AG-UI's RunAgentInput (`new HttpAgent({ url, headers })`): `threadId` is the conversation, `forwardedProps`
 * carries the chat app. `tools`, `context` and `state` are accepted and not used yet.
 */
export const agUiRunInputSchema = z
    .looseObject({
        threadId: idSchema,
        runId: z.string().min(1).max(CLIENT_ID_MAX),
        parentRunId: z.string().max(CLIENT_ID_MAX).optional(),
        messages: z.array(agUiMessageSchema).min(1).max(MAX_MESSAGES),
        tools: z
            .array(z.looseObject({ name: z.string().max(CLIENT_ID_MAX) }))
            .max(MAX_PARTS)
            .optional(),
        context: z
            .array(z.looseObject({ description: z.string().max(4_000), value: z.string().max(HISTORY_TEXT_MAX) }))
            .max(MAX_PARTS)
            .optional(),
        state: z.unknown().optional(),
        forwardedProps: z.looseObject(turnFields),
        // Answers to the interrupts of the run before (docs/converse.md#human-in-the-loop): an approval's
        // payload is `{ approved }`, a client tool's `{ output }` (or its `role: "tool"` message).
        resume: z
            .array(
                z.looseObject({
                    interruptId: z.string().min(1).max(CLIENT_ID_MAX),
                    status: z.enum(['resolved', 'cancelled']),
                    payload: z
                        .looseObject({
                            approved: z.boolean().optional(),
                            output: z.string().max(TOOL_OUTPUT_MAX).optional(),
                            reason: z.string().max(1_000).optional(),
                        })
                        .optional(),
                }),
            )
            .max(MAX_TOOL_REQUESTS)
            .optional(),
    })
    .meta({ 'x-protocol': AG_UI_PROTOCOL });

export type AiSdkChatRequest = z.infer<typeof aiSdkChatRequestSchema>;
export type AgUiRunInput = z.infer<typeof agUiRunInputSchema>;
/** What a client sends (the libraries build it: DefaultChatTransport, HttpAgent). */
export type AiSdkChatRequestInput = z.input<typeof aiSdkChatRequestSchema>;
export type AgUiRunInputInput = z.input<typeof agUiRunInputSchema>;
