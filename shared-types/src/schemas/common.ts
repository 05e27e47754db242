import * as z from 'zod';
import { USER_ID_PATTERN } from '../types/chatbot/chatbot-types';

/** Ids travel in keys and URLs: a bounded charset without '#', '/' or spaces. */
export const ID_PATTERN = /^[A-Za-z0-9._:@-]+$/;
export const idSchema = z.string().min(1).max(128).regex(ID_PATTERN, 'only letters, digits and . _ : @ - are allowed');

/** User ids: identity-provider subjects such as `auth0|abc` (USER_ID_PATTERN). */
export const userIdSchema = z.string().min(1).max(128).regex(USER_ID_PATTERN, 'only letters, digits and . _ : @ | + - are allowed');

/** ISO 8601 date-time with offset or Z, e.g. 2024-01-15T10:00:00Z. */
export const isoDateSchema = z.iso.datetime({ offset: true }).max(64);

export const score0to100 = z.number().min(0).max(100);
export const nonNegative = z.number().finite().min(0);

export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
export const MAX_DEPTH = 16;

/** Where a value breaks the safe-shape rules: the path below the value (keys, array indexes) and what is wrong. */
export interface UnsafeShape {
    path: (string | number)[];
    message: string;
}

/**
 * The first prototype-pollution key (`__proto__`, `constructor`, `prototype`) or nesting deeper than `maxDepth`
 * levels below `value`, with its path; undefined when the value is safe. Arrays count as a level like objects.
 */
export function unsafeShapeOf(value: unknown, maxDepth = MAX_DEPTH): UnsafeShape | undefined {
    const walk = (v: unknown, path: (string | number)[]): UnsafeShape | undefined => {
        if (v === null || typeof v !== 'object') return undefined;
        if (path.length > maxDepth) return { path, message: `nesting deeper than ${maxDepth} levels` };
        const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((item, i) => [i, item]) : Object.entries(v);
        for (const [key, item] of entries) {
            if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) return { path: [...path, key], message: `forbidden key "${key}"` };
            const problem = walk(item, [...path, key]);
            if (problem) return problem;
        }
        return undefined;
    };
    return walk(value, []);
}

/** True when a value has a prototype-pollution key or nests deeper than MAX_DEPTH, at any level: what is wrong, or undefined. */
export function hasUnsafeShape(value: unknown, depth = 0): string | undefined {
    return unsafeShapeOf(value, MAX_DEPTH - depth)?.message;
}

/** Adds the issue of an unsafe shape (its path below the checked value) to a refinement. */
export function refineSafeShape(value: unknown, ctx: z.RefinementCtx, maxDepth = MAX_DEPTH): void {
    const problem = unsafeShapeOf(value, maxDepth);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
}

const notReserved = [(key: string) => !FORBIDDEN_KEYS.has(key), 'a reserved key (__proto__, constructor, prototype)'] as const;

/**
 * Record keys: never a prototype-pollution key (zod itself skips a `__proto__` key silently; the API refuses it
 * in the body before any schema, functions/http/storable.ts). `safeKeySchema` any such text, `idKeySchema` an id.
 */
export const safeKeySchema = z
    .string()
    .max(256)
    .refine(...notReserved);
export const idKeySchema = idSchema.refine(...notReserved);

/**
 * A free-form JSON object (custom data, metadata, widget data): no prototype-pollution keys, bounded depth.
 * The check runs on the raw input: zod's record parsing would silently drop a `__proto__` key.
 */
export const safeRecordSchema = z
    .unknown()
    .superRefine((value, ctx) => refineSafeShape(value, ctx))
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

/** How an IANA time zone name is spelled: `UTC`, `Europe/Paris`, `America/Argentina/Buenos_Aires`, `Etc/GMT+5`. */
export const TIME_ZONE_PATTERN = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/;

/** True for a real IANA time zone name: spelled as one and known to Intl (which rejects `Not/AZone`). */
export function isTimeZone(name: string): boolean {
    if (name.length > 64 || !TIME_ZONE_PATTERN.test(name)) return false;
    try {
        new Intl.DateTimeFormat('en-US', { timeZone: name });
        return true;
    } catch {
        return false;
    }
}

/** A real IANA time zone name (`isTimeZone`), e.g. the browser's `Intl.DateTimeFormat().resolvedOptions().timeZone`. */
export const timeZoneSchema = z.string().max(64, { abort: true }).refine(isTimeZone, 'an IANA time zone name such as Europe/Paris or UTC');
export const TITLE_MAX = 200;
export const MESSAGE_MAX = 25_000;
