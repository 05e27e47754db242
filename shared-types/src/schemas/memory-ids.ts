/**
 * AgentCore Memory ids, ARNs and namespace templates (./memory.ts re-exports them): what the backend's
 * configuration checks, apart from the feature and record schemas it does not need.
 */
import * as z from 'zod';
import { MEMORY_NAMESPACE } from './memory-rules';

export { MEMORY_ARN_PATTERN, MEMORY_ID_PATTERN, memoryIdOf } from './memory-rules';

/**
 * A namespace template: a path (`/users/{actorId}/facts`) with `{actorId}` once, as a whole segment. The
 * caller's actor id replaces it: every namespace of one user is under their own path, never another's.
 */
export const memoryNamespaceSchema = z
    .string()
    .min(MEMORY_NAMESPACE.minLength)
    .max(MEMORY_NAMESPACE.maxLength)
    .regex(MEMORY_NAMESPACE.pattern, MEMORY_NAMESPACE.patternMessage)
    .refine(MEMORY_NAMESPACE.hasActorIdSegment, MEMORY_NAMESPACE.actorIdMessage);
