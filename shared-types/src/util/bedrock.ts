/**
 * Session attributes between the chat backend and Bedrock action-group Lambdas.
 *
 * Bedrock session attributes are a flat string -> string map. Encoding (encodeSessionAttributes):
 * - a string value is sent as is, so any Lambda can read it without this package;
 * - any other value (number, boolean, object, array) is sent as JSON, and its key is listed in the one
 *   reserved attribute `pika.jsonKeys` (a JSON array of key names);
 * - undefined and null values are left out.
 * normalizeSessionAttributes reverses it: listed keys are JSON-parsed (a malformed value stays the raw
 * string, it never throws), an empty string or a missing value is undefined, the reserved key is removed.
 * Attributes not made by the encoder simply come back as strings.
 */
import type { SessionDataWithChatUserCustomDataSpreadIn } from '../types/chatbot/chatbot-types';
import type { BedrockActionGroupLambdaEvent, BedrockActionGroupLambdaResponse, BedrockResponseState } from '../types/chatbot/bedrock';

export const JSON_KEYS_ATTRIBUTE = 'pika.jsonKeys';

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function encodeSessionAttributes(data: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    const jsonKeys: string[] = [];
    for (const [key, value] of Object.entries(data)) {
        if (value === undefined || value === null || key === JSON_KEYS_ATTRIBUTE || UNSAFE_KEYS.has(key)) continue;
        if (typeof value === 'string') {
            out[key] = value;
        } else {
            const json = JSON.stringify(value);
            if (json === undefined) continue; // functions, symbols
            out[key] = json;
            jsonKeys.push(key);
        }
    }
    if (jsonKeys.length > 0) out[JSON_KEYS_ATTRIBUTE] = JSON.stringify(jsonKeys);
    return out;
}

function jsonKeysOf(attrs: Record<string, string | undefined>): Set<string> {
    const raw = attrs[JSON_KEYS_ATTRIBUTE];
    if (!raw) return new Set();
    try {
        const parsed: unknown = JSON.parse(raw);
        return new Set(Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === 'string') : []);
    } catch {
        return new Set();
    }
}

/**
 * The typed session data from an action-group event's `sessionAttributes` (customData spread in,
 * nested values decoded). userId/sessionId/chatAppId/agentId are strings ('' when absent, which only
 * happens for attributes that were not sent by the chat backend).
 */
export function normalizeSessionAttributes(attrs: Record<string, string | undefined> | undefined | null): SessionDataWithChatUserCustomDataSpreadIn {
    const source = attrs ?? {};
    const jsonKeys = jsonKeysOf(source);
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, raw] of Object.entries(source)) {
        if (key === JSON_KEYS_ATTRIBUTE || UNSAFE_KEYS.has(key)) continue;
        if (raw === undefined || raw === null || raw === '') {
            out[key] = undefined;
            continue;
        }
        if (jsonKeys.has(key)) {
            try {
                out[key] = JSON.parse(raw);
            } catch {
                out[key] = raw;
            }
        } else {
            out[key] = raw;
        }
    }
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    return {
        ...out,
        userId: str(out.userId),
        sessionId: str(out.sessionId),
        chatAppId: str(out.chatAppId),
        agentId: str(out.agentId),
    } as SessionDataWithChatUserCustomDataSpreadIn;
}

interface ResponseOptions {
    /** Session attributes to hand back to the agent (default: the event's, unchanged). */
    sessionAttributes?: Record<string, string>;
    promptSessionAttributes?: Record<string, string>;
}

function bodyText(body: unknown): string {
    return typeof body === 'string' ? body : JSON.stringify(body);
}

function build(
    event: BedrockActionGroupLambdaEvent,
    body: unknown,
    state: BedrockResponseState | undefined,
    httpStatusCode: number,
    opts: ResponseOptions,
): BedrockActionGroupLambdaResponse {
    const text = bodyText(body);
    const response: BedrockActionGroupLambdaResponse['response'] =
        event.apiPath !== undefined
            ? {
                  actionGroup: event.actionGroup,
                  apiPath: event.apiPath,
                  httpMethod: event.httpMethod ?? 'GET',
                  httpStatusCode,
                  ...(state ? { responseState: state } : {}),
                  responseBody: { 'application/json': { body: text } },
              }
            : {
                  actionGroup: event.actionGroup,
                  function: event.function ?? '',
                  functionResponse: { ...(state ? { responseState: state } : {}), responseBody: { TEXT: { body: text } } },
              };
    return {
        messageVersion: '1.0',
        response,
        sessionAttributes: opts.sessionAttributes ?? event.sessionAttributes ?? {},
        promptSessionAttributes: opts.promptSessionAttributes ?? event.promptSessionAttributes ?? {},
    };
}

/** A successful answer to the agent; `body` is sent as text (objects as JSON). Matches the event's kind. */
export function actionGroupSuccess(event: BedrockActionGroupLambdaEvent, body: unknown, opts: ResponseOptions = {}) {
    return build(event, body, undefined, 200, opts);
}

/** A failed answer: FAILURE ends the turn, REPROMPT lets the model retry with the message as a hint. */
export function actionGroupFailure(
    event: BedrockActionGroupLambdaEvent,
    message: string,
    opts: ResponseOptions & { state?: BedrockResponseState; httpStatusCode?: number } = {},
) {
    return build(event, { error: message }, opts.state ?? 'FAILURE', opts.httpStatusCode ?? 500, opts);
}
