import * as z from 'zod';
import { USER_ID_PATTERN } from '../types/chatbot/chatbot-types';

/** Ids travel in keys and URLs: a bounded charset without '#', '/' or spaces. */
export const ID_PATTERN = /^[A-Za-z0-9._:@-]+$/;
export const idSchema = z.string().min(1).max(128).regex(ID_PATTERN, 'only letters, digits and . _ : @ - are allowed');

/** User ids: identity-provider subjects such as `auth0|abc` (USER_ID_PATTERN). */
export const userIdSchema = z.string().min(1).max(128).regex(USER_ID_PATTERN, 'only letters, digits and . _ : @ | + - are allowed');

/** ISO 8601 date-time with offset or Z, e.g. 2024-01-15T10:00:00Z. */
export const isoDateSchema = z.iso.datetime({ offset: true });

export const score0to100 = z.number().min(0).max(100);
export const nonNegative = z.number().finite().min(0);

export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 16;

/** True when a value has a prototype-pollution key or nests deeper than MAX_DEPTH, at any level. */
export function hasUnsafeShape(value: unknown, depth = 0): string | undefined {
    if (value === null || typeof value !== 'object') return undefined;
    if (depth > MAX_DEPTH) return `nesting deeper than ${MAX_DEPTH}`;
    for (const key of Object.keys(value)) {
        if (FORBIDDEN_KEYS.has(key)) return `forbidden key "${key}"`;
        const problem = hasUnsafeShape((value as Record<string, unknown>)[key], depth + 1);
        if (problem) return problem;
    }
    return undefined;
}

/**
 * A free-form JSON object (custom data, metadata, widget data): no prototype-pollution keys, bounded depth.
 * The check runs on the raw input: zod's record parsing would silently drop a `__proto__` key.
 */
export const safeRecordSchema = z
    .unknown()
    .superRefine((value, ctx) => {
        const problem = hasUnsafeShape(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .pipe(z.record(z.string().max(256), z.unknown()));

/**
 * A session's `customData` (given when it is created, else the creating user's): at most this many bytes of
 * UTF-8 JSON. The session item carries it into every session index (session search filters on it), so it is
 * bounded where it is accepted: `POST /sessions` and `PUT /users/{userId}` (what sessions inherit).
 */
export const CUSTOM_DATA_MAX_BYTES = 1024;

const utf8Length = (s: string): number => {
    let n = 0;
    for (const ch of s) {
        const c = ch.codePointAt(0)!;
        n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    }
    return n;
};

/** safeRecordSchema, at most CUSTOM_DATA_MAX_BYTES of JSON. */
export const customDataSchema = safeRecordSchema.refine((v) => utf8Length(JSON.stringify(v)) <= CUSTOM_DATA_MAX_BYTES, {
    message: `at most ${CUSTOM_DATA_MAX_BYTES} bytes of JSON`,
});

export const shortText = (max: number) => z.string().max(max);
export const TITLE_MAX = 200;
export const MESSAGE_MAX = 25_000;
