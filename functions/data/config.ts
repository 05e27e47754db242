/**
 * Chat-app and agent configuration (CHATAPP#a / CONFIG, AGENT#g / CONFIG), read on the converse hot path
 * through a small per-container cache (CONFIG_CACHE_TTL_SECONDS, default 60; a put invalidates it here).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AgentConfig, ChatAppConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { config } from '../platform/config';
import { ddb, tableName } from './client';
import { type Entity, entity } from './items';
import { keys } from './keys';
import { retentionDaysOf } from './ttl';

const CHAT_APP = entity<ChatAppConfig>();
const AGENT = entity<AgentConfig>();

const cache = new Map<string, { value: unknown; expires: number }>();

const cacheTtlMs = () => config().CONFIG_CACHE_TTL_SECONDS * 1000;

/** Empties this container's config cache (tests; after bulk changes). */
export function clearConfigCache(): void {
  cache.clear();
}

async function cachedGet<T extends object>(key: { pk: string; sk: string }, stored: Entity<T>): Promise<T | undefined> {
  const id = `${key.pk}|${key.sk}`;
  const hit = cache.get(id);
  if (hit && hit.expires > Date.now()) return hit.value as T | undefined;
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  const value = stored.recordOrUndefined(out.Item);
  cache.set(id, { value, expires: Date.now() + cacheTtlMs() });
  return value;
}

async function put<T extends object>(key: { pk: string; sk: string }, value: T): Promise<T> {
  await ddb().send(new PutCommand({ TableName: tableName(), Item: { ...value, ...key } }));
  cache.delete(`${key.pk}|${key.sk}`);
  return value;
}

export const getChatApp = async (chatAppId: string) => cachedGet(keys.chatApp(chatAppId), CHAT_APP);
export const putChatApp = async (config: ChatAppConfig) => put(keys.chatApp(config.chatAppId), config);
export const getAgent = async (agentId: string) => cachedGet(keys.agent(agentId), AGENT);
export const putAgent = async (config: AgentConfig) => put(keys.agent(config.agentId), config);

/** The retention of a chat app's sessions (ttl.retentionDaysOf): its own setting, else the stage's; undefined = forever. */
export async function chatAppRetentionDays(chatAppId: string): Promise<number | undefined> {
  return retentionDaysOf(await getChatApp(chatAppId));
}
