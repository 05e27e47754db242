/**
 * What each Lambda may do to the table: the DynamoDB operations its code calls and the indexes it queries,
 * nothing more. test/cdk/access-map.test.ts bundles every handler (tree-shaken, as deployed) and fails if
 * this map grants an operation or index the code does not use, or misses one it does.
 *
 * Transactions have no IAM action of their own: each Put/Update/Delete inside TransactWriteItems needs
 * PutItem/UpdateItem/DeleteItem, and a ConditionCheck needs ConditionCheckItem.
 */
import type { GsiName } from '../../functions/data/table-definition';
import type { RouteGroup } from '../../functions/http/routes';

export type TableOperation = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem' | 'ConditionCheckItem';

export interface TableAccess {
  readonly operations: readonly TableOperation[];
  /** Indexes the function queries (Query on `<table>/index/<name>`). */
  readonly indexes: readonly GsiName[];
}

/** Functions outside the API: the generated-insights sweep (EventBridge schedule) and worker (SQS). */
export const BACKGROUND_FUNCTIONS = ['insights-sweep', 'insights-worker'] as const;
export type BackgroundFunction = (typeof BACKGROUND_FUNCTIONS)[number];

/** The usage stream consumer (DynamoDB Streams): always deployed, it adds spends to the shared usage totals. */
export const USAGE_STREAM_FUNCTION = 'usage-stream';
/** The answer redrive worker (SQS): always deployed, it stores answers the table refused when their turn ended. */
export const ANSWER_REDRIVE_FUNCTION = 'answer-redrive';
/** The retention sweep (EventBridge schedule): always deployed, it keeps sessions' items together and deletes expired sessions' files. */
export const RETENTION_SWEEP_FUNCTION = 'retention-sweep';

/** The lifecycle worker (SQS): always deployed, it runs erasures and the purge of deleted sessions (functions/lifecycle). */
export const LIFECYCLE_WORKER_FUNCTION = 'lifecycle-worker';

export type FunctionName =
  | RouteGroup
  | 'authorizer'
  | BackgroundFunction
  | typeof USAGE_STREAM_FUNCTION
  | typeof ANSWER_REDRIVE_FUNCTION
  | typeof RETENTION_SWEEP_FUNCTION
  | typeof LIFECYCLE_WORKER_FUNCTION;

export const TABLE_ACCESS: Record<FunctionName, TableAccess> = {
  // gsi2: the user's usage days and chat apps of a month (usage-reports.ts).
  // PutItem: an erasure's record (functions/data/erasure.ts). An export started (data/exports.ts): a transaction
  // checking the erasure record (ConditionCheckItem) with the lock and the record; the lock freed (DeleteItem)
  // when its job cannot be queued.
  users: { operations: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'], indexes: ['gsi1', 'gsi2'] },
  sessions: {
    operations: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem'],
    indexes: ['gsi1', 'gsi2', 'gsi3', 'gsi4'],
  },
  feedback: { operations: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'], indexes: ['gsi1'] },
  insights: { operations: ['GetItem', 'PutItem', 'UpdateItem'], indexes: [] },
  widgets: { operations: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: [] },
  // gsi3: the users of a usage bucket (top users by cost), read whole with BatchGetItem.
  admin: { operations: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: ['gsi3'] },
  converse: { operations: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'], indexes: [] },
  // The authorizer only verifies tokens.
  authorizer: { operations: [], indexes: [] },
  // Due sessions from the sparse gsi1 entries, each leased (or given up) with a conditional update.
  'insights-sweep': { operations: ['Query', 'UpdateItem'], indexes: ['gsi1'] },
  // Claim, session + chat app, transcript (base-table Query), insights + status transaction, usage, feedback.
  'insights-worker': { operations: ['GetItem', 'Query', 'PutItem', 'UpdateItem'], indexes: [] },
  // Applied markers read (redeliveries) and written with the shared totals' updates, in one transaction.
  'usage-stream': { operations: ['BatchGetItem', 'PutItem', 'UpdateItem'], indexes: [] },
  // The answer, the session's counters, the user's usage and the debit record in one transaction; the lease freed.
  'answer-redrive': { operations: ['PutItem', 'UpdateItem'], indexes: [] },
  // Due entries (sparse gsi1), the session's expiry and partition (base-table Query), items' expiry moved, the entry moved or deleted.
  'retention-sweep': { operations: ['GetItem', 'Query', 'UpdateItem', 'DeleteItem'], indexes: ['gsi1'] },
  // Erasures and session purges: partitions read and deleted page by page, the user's sessions (gsi1) and usage
  // months (gsi2), usage re-keyed in transactions (Update + Delete), the erasure record. Exports: the same reads,
  // the export record updated and its lock deleted.
  'lifecycle-worker': {
    operations: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'],
    indexes: ['gsi1', 'gsi2'],
  },
};

/** The IAM statements' shape: item operations on the table, Query on the table and the listed indexes. */
export function tableStatements(access: TableAccess, tableArn: string): { actions: string[]; resources: string[] }[] {
  const itemOps = access.operations.filter((op) => op !== 'Query');
  const out: { actions: string[]; resources: string[] }[] = [];
  if (itemOps.length) out.push({ actions: itemOps.map((op) => `dynamodb:${op}`), resources: [tableArn] });
  if (access.operations.includes('Query')) {
    out.push({ actions: ['dynamodb:Query'], resources: [tableArn, ...access.indexes.map((i) => `${tableArn}/index/${i}`)] });
  }
  return out;
}

/**
 * What each function may do in the files bucket, on `files/*` only (lib/constructs/chat-files.ts); the rest
 * none. test/cdk/files.test.ts checks this against the S3 calls in each deployed bundle.
 * - sessions: signs the upload POST (PutObject, and PutObjectTagging for its `tagging` field), HeadObject and
 *   signs download links (GetObject), deletes a session's objects (DeleteObject, through DeleteObjects);
 * - retention-sweep: deletes an expired session's objects (DeleteObject, through DeleteObjects);
 * - lifecycle-worker: deletes the objects of purged sessions and erased users (DeleteObjects); lists a user's prefix;
 * - converse: HeadObject and signs the agents' links (GetObject; Agents Classic read `sessionState.files` with
 *   the caller's permission too), tags a file attached (PutObjectTagging).
 */
export type FilesAction = 's3:GetObject' | 's3:PutObject' | 's3:PutObjectTagging' | 's3:DeleteObject';
export const FILES_ACCESS: Partial<Record<FunctionName, readonly FilesAction[]>> = {
  sessions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging', 's3:DeleteObject'],
  // Deletes an expired session's objects (DeleteObjects).
  'retention-sweep': ['s3:DeleteObject'],
  // Erasure and session purges delete objects (and list `files/<user>/`: ListBucket, granted by ChatLifecycle).
  'lifecycle-worker': ['s3:DeleteObject'],
  converse: ['s3:GetObject', 's3:PutObjectTagging'],
};

/**
 * What each function may do to export documents (functions/files/export-objects.ts), on `exports/*` only:
 * - users: signs the download link of a finished export (GetObject);
 * - lifecycle-worker: writes a document (PutObject: the multipart upload's create, parts and completion;
 *   AbortMultipartUpload when its job fails) and deletes it (DeleteObject: an erased user's, through
 *   DeleteObjects; listing `exports/<user>/`: ListBucket, granted by ChatLifecycle).
 */
export type ExportsAction = 's3:GetObject' | 's3:PutObject' | 's3:AbortMultipartUpload' | 's3:DeleteObject';
export const EXPORTS_ACCESS: Partial<Record<FunctionName, readonly ExportsAction[]>> = {
  users: ['s3:GetObject'],
  'lifecycle-worker': ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
};
