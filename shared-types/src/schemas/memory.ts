/**
 * User memory (AgentCore Memory): the chat app feature `userMemory` and the ids of the records a user sees of
 * their own memory through the API (the records: ./memory-record.ts).
 */
import * as z from 'zod';
import { memoryIdOf, memoryNamespaceSchema } from './memory-ids';

export { MEMORY_ARN_PATTERN, MEMORY_ID_PATTERN, memoryIdOf, memoryNamespaceSchema } from './memory-ids';

/** The two halves of user memory: `short-term` records each exchange (an AgentCore event), `long-term` recalls records before each turn. */
export const MEMORY_STRATEGIES = ['short-term', 'long-term'] as const;

export const memoryRefSchema = z
    .string()
    .max(2048)
    .refine((s) => memoryIdOf(s) !== undefined, 'an AgentCore Memory id (name-XXXXXXXXXX) or ARN (arn:aws:bedrock-agentcore:…:memory/<id>)');

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
