/**
 * AgentCore Memory ids, ARNs and namespace templates as plain patterns and checks, without zod: the backend's
 * configuration checks them in every function's init (including the authorizer, which loads no other schema),
 * and ./memory-ids.ts builds the public zod schema from the same rules.
 */

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
export const MEMORY_NAMESPACE = {
    minLength: 2,
    maxLength: 1024,
    pattern: /^\/[A-Za-z0-9_.:/{}-]*$/,
    patternMessage: 'a path of letters, digits and _ . : - / with {actorId}',
    /** `{actorId}` once, as a whole path segment, and no other braces. */
    hasActorIdSegment: (s: string) => s.split('{actorId}').length === 2 && /(^|\/)\{actorId\}(\/|$)/.test(s) && !/[{}]/.test(s.replace('{actorId}', '')),
    actorIdMessage: 'must hold {actorId} once, as a whole path segment',
} as const;
