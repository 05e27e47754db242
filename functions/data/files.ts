/**
 * Files uploaded to a session: SESSION#s / FILE#<fileId>, one item per file (its S3 object is
 * `fileObjectKey(owner, session, file)`). Written only while the session exists; read by key; a session's
 * files by a Query on its partition (`FILE#` prefix), which is bounded by the session's size.
 */
import { queryAllPages } from './pagination';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChatMessageFile } from 'pika-shared/types/chatbot/chatbot-types';
import { notFound } from './errors';
import { ddb, tableName } from './client';
import { entity } from './items';
import { FILE_PREFIX, keys } from './keys';
import { conditionFailedAt, withRetry } from './retry';
import { updateExpression } from './expressions';
import { ttlAttribute } from './ttl';

/** The stored record: the spec's ChatMessageFile plus its owner and session. */
export interface FileRecord extends ChatMessageFile {
  userId: string;
  sessionId: string;
  /** When a message first referenced it (absent: uploaded, or announced, and never used). */
  attachedAt?: string;
}
/** SESSION#s / FILE#f. */
const FILE = entity<FileRecord>();

/** Stores a new file record; the session must exist (one transaction: the session's condition and the Put). */
/** `retentionDays`: the chat app's (ttl.retentionDaysOf); undefined: the stage's default. */
export async function putFileRecord(record: FileRecord, retentionDays?: number): Promise<FileRecord> {
  await withRetry(async () => {
    try {
      return await ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: tableName(), Key: keys.session(record.sessionId), ConditionExpression: 'attribute_exists(pk)' } },
            {
              Put: {
                TableName: tableName(),
                Item: { ...keys.file(record.sessionId, record.fileId), ...record, ...ttlAttribute(Date.now(), retentionDays) },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (err) {
      if (conditionFailedAt(err, 0)) throw notFound('Session');
      throw err;
    }
  });
  return record;
}

export async function getFileRecord(sessionId: string, fileId: string): Promise<FileRecord | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.file(sessionId, fileId), ConsistentRead: true }));
  return FILE.recordOrUndefined(out.Item);
}

/** Marks files as used by a message (kept as they are when already marked). */
export async function markFilesAttached(sessionId: string, fileIds: string[], atIso: string): Promise<void> {
  for (const fileId of fileIds) {
    await withRetry(() =>
      ddb().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.file(sessionId, fileId),
          ...updateExpression({ setIfNotExists: { attachedAt: atIso } }),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  }
}

/** Every file record of a session (one Query per 1 MB page on the session's partition). */
export async function listSessionFiles(sessionId: string): Promise<FileRecord[]> {
  const items = await queryAllPages({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId), ':prefix': FILE_PREFIX },
    ConsistentRead: true,
  });
  return items.map(FILE.record);
}
