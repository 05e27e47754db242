/**
 * A user's erasure record, `USER#u / ERASURE` (docs/data-model.md#erasure): while the job runs it holds the
 * job's step (one per queue message: a message of another step is stale or early) and its progress; when the
 * job is done it is replaced by what stays of the user — their id, the dates and the status, nothing else.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { ddb, tableName } from './client';
import { DataError } from './errors';
import { updateExpression } from './expressions';
import { entity, nowIso } from './items';
import { keys } from './keys';
import { isConditionFailure, updateIf } from './retry';

export type ErasureStatus = 'running' | 'done' | 'failed';
export type ErasurePhase = 'sessions' | 'idempotency' | 'usage' | 'budgets' | 'files' | 'memory' | 'user' | 'settle' | 'done';

/** Where the job stands (only while it runs). */
export interface ErasureProgress {
  phase: ErasurePhase;
  /** 1 = the first pass; 2 = the pass after running turns have ended (docs/security.md#erasure). */
  pass: number;
  /** Sessions of the current page of the user's session index still to purge, and that index's cursor. */
  sessions?: string[];
  cursor?: Record<string, unknown>;
  /** Chat apps the user was seen in (sessions, usage): where budget overrides are looked for. */
  chatApps: string[];
  /** What the user's usage items are re-keyed to: random, never derived from the userId, dropped when done. */
  pseudonym: string;
  /** Items and objects removed so far, by kind (no content). */
  counts: Record<string, number>;
}

/** What the API shows of an erasure. */
export interface Erasure {
  userId: string;
  status: ErasureStatus;
  requestedAt: string;
  lastUpdate: string;
  finishedAt?: string;
  /** Who asked: the user, or a site admin (whose id is in the access log, not here). */
  requestedBy: 'user' | 'admin';
  /** While running: the phase; when done: what was removed, by kind. */
  phase?: ErasurePhase;
  counts?: Record<string, number>;
  error?: { code: string; message: string };
}

export interface ErasureRecord extends Erasure {
  step: number;
  progress?: ErasureProgress;
}

export const newProgress = (): ErasureProgress => ({
  phase: 'sessions',
  pass: 1,
  chatApps: [],
  pseudonym: `erased-${randomBytes(12).toString('hex')}`,
  counts: {},
});

export async function getErasureRecord(userId: string): Promise<ErasureRecord | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.erasure(userId), ConsistentRead: true }));
  return ERASURE.recordOrUndefined(out.Item);
}

/** USER#u / ERASURE. */
const ERASURE = entity<ErasureRecord>();

/** The public view: no step, no pseudonym, no cursor. */
export const erasureView = (r: ErasureRecord): Erasure => ({
  userId: r.userId,
  status: r.status,
  requestedAt: r.requestedAt,
  lastUpdate: r.lastUpdate,
  requestedBy: r.requestedBy,
  ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
  ...(r.progress ? { phase: r.progress.phase, counts: r.progress.counts } : r.counts ? { counts: r.counts } : {}),
  ...(r.error ? { error: r.error } : {}),
});

/**
 * Starts an erasure unless one is running (then that one is returned, `started` false). A finished or failed
 * one is replaced by a new run. One conditional PutItem.
 */
export async function startErasure(userId: string, requestedBy: 'user' | 'admin', at = nowIso()): Promise<{ record: ErasureRecord; started: boolean }> {
  const record: ErasureRecord = { userId, status: 'running', requestedAt: at, lastUpdate: at, requestedBy, step: 0, progress: newProgress() };
  try {
    await ddb().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.erasure(userId), ...record },
        ConditionExpression: 'attribute_not_exists(pk) OR #status <> :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running' },
      }),
    );
    return { record, started: true };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const running = await getErasureRecord(userId);
    if (!running) throw err;
    return { record: running, started: false };
  }
}

/** Saves the job's progress at `step`, moving to `nextStep`; false when another delivery got there first. */
export async function saveErasureProgress(userId: string, step: number, nextStep: number, progress: ErasureProgress): Promise<boolean> {
  return updateIf(async () => {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.erasure(userId),
        ...updateExpression(
          { set: { step: nextStep, progress, lastUpdate: nowIso() } },
          { names: { '#stepNow': 'step', '#status': 'status' }, values: { ':step': step, ':running': 'running' } },
        ),
        ConditionExpression: '#stepNow = :step AND #status = :running',
      }),
    );
  });
}

/** Ends the job: the record becomes what stays of the user (id, dates, status, counts). */
export async function finishErasure(
  record: ErasureRecord,
  status: 'done' | 'failed',
  extra: { counts?: Record<string, number>; error?: { code: string; message: string } } = {},
): Promise<ErasureRecord> {
  const at = nowIso();
  const final: ErasureRecord = {
    userId: record.userId,
    status,
    requestedAt: record.requestedAt,
    requestedBy: record.requestedBy,
    lastUpdate: at,
    finishedAt: at,
    step: record.step + 1,
    ...(extra.counts ? { counts: extra.counts } : {}),
    ...(extra.error ? { error: extra.error } : {}),
  };
  await ddb().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.erasure(record.userId), ...final },
      ConditionExpression: 'step = :step',
      ExpressionAttributeValues: { ':step': record.step },
    }),
  );
  return final;
}

/** New turns of a user being erased are refused (409 USER_ERASURE_IN_PROGRESS). One GetItem. */
export async function assertNotBeingErased(userId: string): Promise<void> {
  const out = await ddb().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.erasure(userId),
      ConsistentRead: true,
      ProjectionExpression: '#s',
      ExpressionAttributeNames: { '#s': 'status' },
    }),
  );
  if (out.Item?.status === 'running')
    throw new DataError('USER_ERASURE_IN_PROGRESS', 'This user’s data is being erased; no new turn until it is done (GET /users/me/erasure)');
}
