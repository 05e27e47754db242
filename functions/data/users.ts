/** Users: USER#u / PROFILE, indexed by id prefix in gsi1 (UIDX#<first 3 lower-case chars> / lower(userId)). */
import * as ACCESS from './access-patterns';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChatUser, RecordOrUndef } from 'pika-shared/types/chatbot/chatbot-types';
import { validationFailed } from './errors';
import { ddb, tableName } from './client';
import { updateExpression } from './expressions';
import { entity, nowIso } from './items';
import { hydrateItems } from './pagination';
import { keys, USER_PREFIX_BUCKET_LENGTH, userPrefixPartition } from './keys';

export type User = ChatUser<RecordOrUndef>;
/** USER#u / PROFILE. */
export const USER = entity<User>();

/** Stored user fields besides userId and the dates (which the data layer owns). */
const USER_FIELDS = ['firstName', 'lastName', 'customData', 'viewingContentFor', 'overrideData', 'userType', 'roles'] as const;

export const USER_SEARCH_MAX_RESULTS = 20;

export async function getUser(userId: string): Promise<User | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.user(userId), ConsistentRead: true }));
  return USER.recordOrUndefined(out.Item);
}

/** One UpdateItem: SET the given fields (and REMOVE the `remove` ones), createDate kept from the first write. */
async function upsert(userId: string, set: Partial<Record<(typeof USER_FIELDS)[number], unknown>>, remove: string[]): Promise<User> {
  const now = nowIso();
  const out = await ddb().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.user(userId),
      ...updateExpression({ set: { userId, lastUpdate: now, ...keys.userPrefixIndex(userId), ...set }, setIfNotExists: { createDate: now }, remove }),
      ReturnValues: 'ALL_NEW',
    }),
  );
  return USER.record(out.Attributes!);
}

/** Upsert with replace semantics: fields absent from `user` are removed; createDate survives, lastUpdate = now. */
export async function putUser(user: User): Promise<User> {
  const set: Partial<Record<(typeof USER_FIELDS)[number], unknown>> = {};
  const remove: string[] = [];
  for (const field of USER_FIELDS) {
    if (user[field] === undefined) remove.push(field);
    else set[field] = user[field];
  }
  return upsert(user.userId, set, remove);
}

/** The user's own name change; creates the user when missing. */
export async function updateUserName(userId: string, names: { firstName?: string; lastName?: string }): Promise<User> {
  return upsert(userId, { firstName: names.firstName, lastName: names.lastName }, []);
}

/** Admin search: users whose id starts with `prefix` (case-insensitive, ≥ 3 chars), at most 20, by id. */
export async function searchUsersByPrefix(prefix: string, limit = USER_SEARCH_MAX_RESULTS): Promise<User[]> {
  const lower = prefix.trim().toLowerCase();
  if (lower.length < USER_PREFIX_BUCKET_LENGTH) {
    throw validationFailed(`prefix must have at least ${USER_PREFIX_BUCKET_LENGTH} characters`, { field: 'prefix' });
  }
  const out = await ddb().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: ACCESS.usersByPrefix,
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userPrefixPartition(lower), ':prefix': lower },
      Limit: Math.max(1, Math.min(USER_SEARCH_MAX_RESULTS, Math.floor(limit))),
    }),
  );
  return (await hydrateItems(out.Items ?? [])).map(USER.record);
}
