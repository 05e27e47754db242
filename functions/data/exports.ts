/**
 * Exports of a user's data (docs/data-model.md#exports), in the user's partition: `USER#u / EXPORT#<exportId>`
 * per export (status, dates, the object's key, counts — no content), expiring with its document, and
 * `USER#u / EXPORT_RUNNING`, the lock that lets a user run one export at a time (a lease, so a job that died
 * without a word frees it). Started in one transaction that also checks no erasure of the user runs.
 */
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from './client';
import { DataError, conflict } from './errors';
import { updateExpression } from './expressions';
import { entity, newId, nowIso } from './items';
import { EXPORT_PREFIX, exportObjectKey, keys, userPartition } from './keys';
import { conditionFailedAt, updateIf } from './retry';
import { TTL_ATTRIBUTE } from './table-definition';
import { DAY_SECONDS, expiresInSeconds } from './ttl';

/** How long an export's document (the bucket's lifecycle rule) and its record (TTL) are kept. */
export const EXPORT_RETENTION_DAYS = 7;
/** How long the lock holds when its job neither finishes nor fails (the job's retries included). */
export const EXPORT_LEASE_SECONDS = 3600;

export type ExportStatus = 'running' | 'done' | 'failed';

export interface ExportRecord {
  userId: string;
  exportId: string;
  status: ExportStatus;
  createdAt: string;
  lastUpdate: string;
  completedAt?: string;
  /** The document's S3 key (under exports/<user>/). */
  s3Key: string;
  /** Epoch seconds: the table's TTL, EXPORT_RETENTION_DAYS after the request. */
  [TTL_ATTRIBUTE]: number;
  counts?: Record<string, number>;
  bytes?: number;
  error?: { code: string; message: string };
  /** The job's step (one per queue message: another step's message is stale or early). */
  step: number;
  /** While it runs, between steps: where the document stands and its upload (functions/lifecycle/export-user.ts). */
  progress?: { cursor: unknown; upload: unknown };
}

/** The record keeps its TTL: the API answers with it (the document's end of life). */
const EXPORT = entity<ExportRecord>();

/**
 * Starts an export: the record and the lock, unless the user is being erased (409 USER_ERASURE_IN_PROGRESS) or
 * an export of theirs still runs (409 CONFLICT naming it). One transaction of the user's own items.
 */
export async function startExport(userId: string, nowMs = Date.now()): Promise<ExportRecord> {
  const exportId = newId(nowMs);
  const at = nowIso(nowMs);
  const record: ExportRecord = {
    userId,
    exportId,
    status: 'running',
    createdAt: at,
    lastUpdate: at,
    s3Key: exportObjectKey(userId, exportId),
    [TTL_ATTRIBUTE]: expiresInSeconds(EXPORT_RETENTION_DAYS * DAY_SECONDS, nowMs),
    step: 0,
  };
  const leaseUntil = expiresInSeconds(EXPORT_LEASE_SECONDS, nowMs);
  try {
    await ddb().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: tableName(),
              Key: keys.erasure(userId),
              ConditionExpression: 'attribute_not_exists(pk) OR #s <> :running',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':running': 'running' },
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.exportLock(userId), exportId, leaseUntil, [TTL_ATTRIBUTE]: leaseUntil + DAY_SECONDS },
              ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
              ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000) },
            },
          },
          { Put: { TableName: tableName(), Item: { ...keys.exportRecord(userId, exportId), ...record }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
  } catch (err) {
    if (conditionFailedAt(err, 0))
      throw new DataError('USER_ERASURE_IN_PROGRESS', 'This user’s data is being erased; nothing to export (GET /users/me/erasure)');
    if (conditionFailedAt(err, 1)) {
      const lock = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.exportLock(userId), ConsistentRead: true }));
      throw conflict('An export of your data is already running; wait for it (GET /users/me/exports/{exportId})', {
        exportId: lock.Item?.exportId,
      });
    }
    throw err;
  }
  return record;
}

export async function getExportRecord(userId: string, exportId: string): Promise<ExportRecord | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.exportRecord(userId, exportId), ConsistentRead: true }));
  return out.Item ? EXPORT.item(out.Item) : undefined;
}

/** Saves the job's progress at `step`, moving to `nextStep`; false when another delivery got there first. */
export async function saveExportProgress(
  userId: string,
  exportId: string,
  step: number,
  nextStep: number,
  progress: NonNullable<ExportRecord['progress']>,
): Promise<boolean> {
  return updateIf(() =>
    ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.exportRecord(userId, exportId),
        ...updateExpression(
          { set: { step: nextStep, progress, lastUpdate: nowIso() } },
          { names: { '#stepNow': 'step', '#now': 'status' }, values: { ':step': step, ':running': 'running' } },
        ),
        ConditionExpression: '#stepNow = :step AND #now = :running',
      }),
    ),
  );
}

/** Ends a running export (false: it was not running any more) and frees the lock if it is still this export's. */
export async function finishExport(
  userId: string,
  exportId: string,
  status: 'done' | 'failed',
  extra: { counts?: Record<string, number>; bytes?: number; error?: { code: string; message: string } } = {},
): Promise<boolean> {
  const at = nowIso();
  const made = await updateIf(() =>
    ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.exportRecord(userId, exportId),
        ...updateExpression(
          { set: { status, lastUpdate: at, completedAt: at, ...extra }, remove: ['progress'] },
          { names: { '#now': 'status' }, values: { ':running': 'running' } },
        ),
        ConditionExpression: 'attribute_exists(pk) AND #now = :running',
      }),
    ),
  );
  await releaseExportLock(userId, exportId);
  return made;
}

export async function releaseExportLock(userId: string, exportId: string): Promise<void> {
  await updateIf(() =>
    ddb().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.exportLock(userId),
        ConditionExpression: 'exportId = :id',
        ExpressionAttributeValues: { ':id': exportId },
      }),
    ),
  );
}

/** The uploads of the user's exports still running (an erasure aborts them: their parts are the user's data). */
export async function runningExportUploads(userId: string): Promise<{ key: string; uploadId: string }[]> {
  const out = await ddb().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':pk': userPartition(userId), ':e': EXPORT_PREFIX },
      ProjectionExpression: 's3Key, progress',
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).flatMap((i) => {
    const uploadId = (i.progress as { upload?: { uploadId?: string } } | undefined)?.upload?.uploadId;
    return uploadId ? [{ key: String(i.s3Key), uploadId }] : [];
  });
}
