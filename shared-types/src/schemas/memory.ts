/**
 * User memory (AgentCore Memory): the chat app feature `userMemory` and the records a user sees of their own
 * memory through the API.
 */
import * as z from 'zod';
import { isoDateSchema } from './common';

/** The two halves of user memory: `short-term` records each exchange (an AgentCore event), `long-term` recalls records before each turn. */
export const MEMORY_STRATEGIES = ['short-term', 'long-term'] as const;

/** An AgentCore Memory id (`name-XXXXXXXXXX`, as the service writes it). */
export const MEMORY_ID_PATTERN = /^[a-zA-Z][a-zA-Z0-9_-]{0,99}-[a-zA-Z0-9]{10}$/;
/** An AgentCore Memory ARN: `arn:aws:bedrock-agentcore:<region>:<account>:memory/<memory id>`. */
export const MEMORY_ARN_PATTERN = /^arn:aws[a-z-]*:bedrock-agentcore:[a-z0-9-]+:\d{12}:memory\/([a-zA-Z][a-zA-Z0-9_-]{0,99}-[a-zA-Z0-9]{10})$/;

/** The memory id of an id or ARN (undefined when it is neither). */
export function memoryIdOf(ref: string): string | undefined {
    if (MEMORY_ID_PATTERN.test(ref)) return ref;
    return MEMORY_ARN_PATTERN.exec(ref)?.[1];
}

export const memoryRefSchema = z
    .string()
    .max(2048)
    .refine((s) => memoryIdOf(s) !== undefined, 'an AgentCore Memory id (name-XXXXXXXXXX) or ARN (arn:aws:bedrock-agentcore:…:memory/<id>)');

/**
 * A namespace template: a path (`/users/{actorId}/facts`) with `{actorId}` once, as a whole segment. The
 * caller's actor id replaces it: every namespace of one user is under their own path, never another's.
 */
export const memoryNamespaceSchema = z
    .string()
    .min(2)
    .max(1024)
    .regex(/^\/[A-Za-z0-9_.:/{}-]*$/, 'a path of letters, digits and _ . : - / with {actorId}')
    .refine(
        (s) => s.split('{actorId}').length === 2 && /(^|\/)\{actorId\}(\/|$)/.test(s) && !/[{}]/.test(s.replace('{actorId}', '')),
        'must hold {actorId} once, as a whole path segment',
    );

export const userMemoryFeatureSchema = z
    .strictObject({
        featureId: z.literal('userMemory'),
        enabled: z.boolean(),
        /** The AgentCore Memory resource (id or ARN); it must be one the stage registers. */
        memory: memoryRefSchema.optional(),
        /** Where this chat app's records of a user live (default: the registered memory's namespace); under the registered one. */
        namespace: memoryNamespaceSchema.optional(),
        /** Default both. */
        strategies: z.array(z.enum(MEMORY_STRATEGIES)).min(1).max(2).optional(),
        /** How many records to recall per turn (default 5). */
        recallCount: z.number().int().min(1).max(20).optional(),
    })
    .refine((f) => !f.enabled || f.memory !== undefined, { message: 'an enabled userMemory names its memory', path: ['memory'] });

export type UserMemoryFeature = z.infer<typeof userMemoryFeatureSchema>;

/** A record id in the API: `<memory id>:<memory record id>` (records of several memories in one list). */
export const memoryRecordIdSchema = z
    .string()
    .min(3)
    .max(256)
    .regex(/^[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/, '<memory id>:<memory record id>');

export const userMemoryRecordSchema = z.object({
    recordId: memoryRecordIdSchema,
    memoryId: z.string(),
    content: z.string(),
    namespaces: z.array(z.string()),
    strategyId: z.string().optional(),
    createdAt: isoDateSchema,
});

export type UserMemoryRecord = z.infer<typeof userMemoryRecordSchema>;
