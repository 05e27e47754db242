/**
 * Which AgentCore memories exist for this stage, and how a user maps onto them. The stage registers its
 * memories (AGENTCORE_MEMORIES: ARN and the namespace holding one user's records); a chat app may only use a
 * registered one, under its namespace. So "every memory the chat apps use" is this list, known without a
 * read, and one user's records in a memory are exactly those under the registered namespace with their
 * actor id in it.
 */
import { memoryForgottenAt } from '../data/memory-marks';
import { createHash } from 'node:crypto';
import type { ChatAppConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { MEMORY_STRATEGIES, memoryIdOf, userMemoryFeatureSchema, type UserMemoryFeature } from 'pika-shared/schemas';
import { config } from '../platform/config';
import { validationFailed } from '../platform/errors';

export interface RegisteredMemory {
  arn: string;
  memoryId: string;
  /** The namespace template of one user's records (`{actorId}` once). */
  namespace: string;
}

export const registeredMemories = (): RegisteredMemory[] =>
  config().AGENTCORE_MEMORIES.map((m) => ({ arn: m.arn, memoryId: memoryIdOf(m.arn)!, namespace: m.namespace }));

export const registeredMemory = (idOrArn: string): RegisteredMemory | undefined => {
  const id = memoryIdOf(idOrArn);
  return id ? registeredMemories().find((m) => m.memoryId === id) : undefined;
};

const PLAIN_ACTOR = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/**
 * The AgentCore actor id of a user: the userId itself when AgentCore accepts it as is (letters, digits, _ and
 * -), else `pika_` and the SHA-256 of the userId (ids with `@ . | + :`); userIds starting with `pika_` are
 * hashed too, so no two users share an actor.
 */
export function actorIdFor(userId: string): string {
  if (PLAIN_ACTOR.test(userId) && !userId.startsWith('pika_')) return userId;
  return `pika_${createHash('sha256').update(userId).digest('hex')}`;
}

export const namespaceFor = (template: string, actorId: string) => template.replace('{actorId}', actorId);

/** True when `namespace` is `scope` or under it (a namespace prefix like `/users/al` must not match `/users/alice`). */
export const isUnder = (namespace: string, scope: string) => {
  const base = scope.replace(/\/+$/, '');
  return namespace === base || namespace.startsWith(`${base}/`);
};

/** What a chat app's userMemory setting means for a turn. */
export interface UserMemorySettings {
  memory: RegisteredMemory;
  /** The chat app's namespace template (under the registered one). */
  namespace: string;
  recall: boolean;
  record: boolean;
  recallCount: number;
}

export const DEFAULT_RECALL_COUNT = 5;

/** The chat app's enabled user memory, or undefined (off, or no longer registered: a turn then goes on without). */
export function userMemoryOf(app: Pick<ChatAppConfig, 'features'>): UserMemorySettings | undefined {
  const parsed = userMemoryFeatureSchema.safeParse(app.features?.userMemory);
  if (!parsed.success || !parsed.data.enabled || !parsed.data.memory) return undefined;
  const memory = registeredMemory(parsed.data.memory);
  if (!memory) return undefined;
  const strategies = parsed.data.strategies ?? MEMORY_STRATEGIES;
  return {
    memory,
    namespace: parsed.data.namespace ?? memory.namespace,
    recall: strategies.includes('long-term'),
    record: strategies.includes('short-term'),
    recallCount: parsed.data.recallCount ?? DEFAULT_RECALL_COUNT,
  };
}

/** Stands for every actor when comparing templates: no actor id holds it, so no user's path can contain another's. */
const ANY_ACTOR = '\u0000';

/**
 * A chat app's userMemory setting as PUT (its shape already validated by the chat app schema): the memory must
 * be registered, its namespace under the registered one.
 */
export function checkUserMemoryFeature(setting: unknown): void {
  const parsed = userMemoryFeatureSchema.safeParse(setting);
  const feature: UserMemoryFeature | undefined = parsed.success ? parsed.data : undefined;
  if (!feature?.memory) return;
  const memory = registeredMemory(feature.memory);
  if (!memory) {
    throw validationFailed('This memory is not registered for the stage', [
      { path: 'body.features.userMemory.memory', message: 'register it in the stage config (agentCoreMemories)' },
    ]);
  }
  if (feature.namespace && !isUnder(namespaceFor(feature.namespace, ANY_ACTOR), namespaceFor(memory.namespace, ANY_ACTOR))) {
    throw validationFailed('The namespace must be under the memory\u2019s registered namespace', [
      { path: 'body.features.userMemory.namespace', message: `under ${memory.namespace}` },
    ]);
  }
}

/**
 * For a chat app that records exchanges: the user's "forget me" mark as a turn starts (read before its message is
 * stored; the turn records nothing if it moved), '' for none; undefined (no read) for the others.
 */
export async function memoryMarkFor(app: Pick<ChatAppConfig, 'features'>, userId: string): Promise<string | undefined> {
  if (!userMemoryOf(app)?.record) return undefined;
  return (await memoryForgottenAt(userId)) ?? '';
}
