/**
 * Widget data: USER#u / WIDGET#scope#tag holding `data` (a map). `partial` merges top-level keys with one
 * UpdateExpression, so concurrent merges of different keys all survive; otherwise `data` is replaced.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { UserWidgetData } from 'pika-shared/types/chatbot/chatbot-types';
import { dependencyErrorOf } from '../platform/errors';
import { conflict, payloadTooLarge, validationFailed } from './errors';
import { ddb, tableName } from './client';
import { isConditionFailure } from './retry';
import { updateExpression } from './expressions';
import { entity, nowIso } from './items';
import { keys } from './keys';

/** Largest `data` accepted per request, as UTF-8 JSON. The whole item is further bounded by DynamoDB's 400 KB. */
export const WIDGET_DATA_MAX_BYTES = 64 * 1024;
/** Top-level keys per partial merge (bounds the UpdateExpression well under its 4 KB limit). */
export const WIDGET_DATA_MAX_KEYS_PER_MERGE = 100;

/** USER#u / WIDGET#scope#tag. */
const WIDGET = entity<{ userId: string; scope: string; tag: string; data: UserWidgetData; createDate: string; lastUpdate: string }>();

export interface SetWidgetDataInput {
  userId: string;
  scope: string;
  tag: string;
  data: UserWidgetData;
  partial?: boolean;
}

export async function getWidgetData(userId: string, scope: string, tag: string): Promise<UserWidgetData | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.widgetData(userId, scope, tag), ConsistentRead: true }));
  return out.Item && WIDGET.item(out.Item).data;
}

function checkData(data: UserWidgetData, partial: boolean): void {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw validationFailed('data must be a JSON object', { field: 'data' });
  const bytes = Buffer.byteLength(JSON.stringify(data), 'utf8');
  if (bytes > WIDGET_DATA_MAX_BYTES) {
    throw payloadTooLarge(`Widget data is limited to ${WIDGET_DATA_MAX_BYTES} bytes of JSON per request`, { limitBytes: WIDGET_DATA_MAX_BYTES, bytes });
  }
  const keyCount = Object.keys(data).length;
  if (partial && keyCount > WIDGET_DATA_MAX_KEYS_PER_MERGE) {
    throw validationFailed(`A partial update may set at most ${WIDGET_DATA_MAX_KEYS_PER_MERGE} top-level keys`, { field: 'data', keys: keyCount });
  }
  if (Object.keys(data).some((k) => k.length === 0)) throw validationFailed('data keys must not be empty', { field: 'data' });
}

/** Stores widget data and returns the stored `data` (the merged result when partial). */
export async function setWidgetData(input: SetWidgetDataInput): Promise<UserWidgetData> {
  const partial = input.partial === true;
  checkData(input.data, partial);
  const key = keys.widgetData(input.userId, input.scope, input.tag);
  const now = nowIso();
  const newItem = { ...key, userId: input.userId, scope: input.scope, tag: input.tag, data: input.data, createDate: now, lastUpdate: now };
  try {
    if (!partial) {
      await ddb().send(new PutCommand({ TableName: tableName(), Item: newItem }));
      return input.data;
    }
    // Each top-level key SET inside `data`, so concurrent merges of different keys all survive.
    const merge = updateExpression({ setIn: { data: input.data }, set: { lastUpdate: now } }, { names: { '#data': 'data' } });
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const out = await ddb().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: key,
            ...merge,
            ConditionExpression: 'attribute_exists(#data)',
            ReturnValues: 'ALL_NEW',
          }),
        );
        return WIDGET.item(out.Attributes!).data;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      // No item yet: create it; if another writer created it meanwhile, merge into theirs.
      try {
        await ddb().send(new PutCommand({ TableName: tableName(), Item: newItem, ConditionExpression: 'attribute_not_exists(pk)' }));
        return input.data;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }
    throw conflict('Widget data kept changing (created and deleted concurrently); retry');
  } catch (err) {
    throw dependencyErrorOf(err) ?? err; // DynamoDB's 400 KB item limit is PAYLOAD_TOO_LARGE
  }
}

/** Returns whether there was anything to delete. */
export async function deleteWidgetData(userId: string, scope: string, tag: string): Promise<boolean> {
  const out = await ddb().send(new DeleteCommand({ TableName: tableName(), Key: keys.widgetData(userId, scope, tag), ReturnValues: 'ALL_OLD' }));
  return out.Attributes !== undefined;
}
