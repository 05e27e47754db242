/**
 * AgentCore Memory ids, ARNs and namespace templates (./memory.ts re-exports them): what the backend's
 * configuration checks, apart from the feature and record schemas it does not need.
 */
import * as z from 'zod';

/** An AgentCore Memory id (`name-XXXXXXXXXX`, as the service writes it). */
export const MEMORY_ID_PATTERN = /^[a-zA-Z][a-zA-Z0-9_-]{0,99}-[a-zA-Z0-9]{10}$/;
/** An AgentCore Memory ARN: `arn:aws:bedrock-agentcore:<region>:<account>:memory/<memory id>`. */
export const MEMORY_ARN_PATTERN = /^arn:aws[a-z-]*:bedrock-agentcore:[a-z0-9-]+:\d{12}:memory\/([a-zA-Z][a-zA-Z0-9_-]{0,99}-[a-zA-Z0-9]{10})$/;

/** The memory id of an id or ARN (undefined when it is neither). */
export function memoryIdOf(ref: string): string | undefined {
    if (MEMORY_ID_PATTERN.test(ref)) return ref;
    return MEMORY_ARN_PATTERN.exec(ref)?.[1];
}

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
