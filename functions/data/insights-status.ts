/**
 * Where a session's generated insights stand: SESSION#s / INSIGHTS_STATUS, one item per session, with a sparse
 * gsi1 due entry (`INSDUE#<shard>`) while pending; a worker generates only after a conditional claim on the
 * activity, so a redelivered job never calls the model twice (docs/data-model.md#generated-insights).
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decodeTime } from 'ulid';
import type { SessionInsightsStatus } from 'pika-shared/types/chatbot/chatbot-types';
import { ddb, tableName } from './client';
import { cancellationReasons, isConditionFailure, updateIf } from './retry';
import { type UpdateSpec, updateExpression } from './expressions';
import { entity, fromAttributeValues, nowIso as isoOf, type RawItem, SESSION, TURN_ATTRIBUTES } from './items';
import { insightsActivityOf } from './turns';
import { dueEntries } from './due-index';
import { insightsDuePartition, keys } from './keys';
import { ttlAttribute } from './ttl';

/** Attribute names (several are DynamoDB reserved words). */
const N = {
  '#status': 'status',
  '#activity': 'activity',
  '#attempts': 'attempts',
  '#claim': 'claimId',
  '#until': 'claimUntil',
  '#due': 'dueDate',
  '#lu': 'lastUpdate',
  '#usage': 'usage',
  '#model': 'modelId',
  '#error': 'error',
};
const names = (...keep: (keyof typeof N)[]) => Object.fromEntries(keep.map((k) => [k, N[k]]));

/** A job of the sweep for the worker: one session activity that is due. */
export interface InsightsJob {
  sessionId: string;
  activity: string;
  /** The sweep's clock when it found the activity due: the worker judges newer activity idle by it. */
  dueBy?: string;
}

/** The pending status a turn's answer writes with itself: the activity is due at `dueIso`. */
export function pendingStatusItem(
  s: { sessionId: string; userId: string; chatAppId: string },
  activityIso: string,
  dueIso: string,
  nowMs = Date.now(),
  retentionDays?: number,
): RawItem {
  return {
    ...keys.insightsStatus(s.sessionId),
    ...keys.insightsDueIndex(s.sessionId, dueIso),
    sessionId: s.sessionId,
    userId: s.userId,
    chatAppId: s.chatAppId,
    status: 'pending',
    activity: activityIso,
    dueDate: dueIso,
    attempts: 0,
    lastUpdate: activityIso,
    ...ttlAttribute(nowMs, retentionDays),
  };
}

export interface DueEntry extends InsightsJob {
  attempts: number;
  /** The entry's gsi1 sort key (the lease moves it). */
  dueKey: string;
}

/**
 * The sessions due by `nowIso`: one Query page (`Limit`) per shard of the sparse index, oldest due first.
 * Eventually consistent (a GSI): the lease below re-checks each entry on the item itself.
 */
export async function listDueInsights(nowIso: string, limitPerShard: number): Promise<DueEntry[]> {
  return (await dueEntries(insightsDuePartition, nowIso, limitPerShard)).map((i) => ({
    sessionId: String(i.sessionId),
    activity: String(i.activity),
    attempts: Number(i.attempts ?? 0),
    dueKey: String(i.gsi1sk),
  }));
}

/**
 * Queues an entry: its due time moves to `leaseUntilIso` (the sweep does not send it again meanwhile; if the
 * job is lost, it is due again then) and its attempts grow by one. False when the entry changed since it was
 * listed (a new turn, another sweep, done).
 */
export function leaseDue(e: DueEntry, leaseUntilIso: string): Promise<boolean> {
  return updateWhileDue(e, {
    set: { gsi1sk: keys.insightsDueIndex(e.sessionId, leaseUntilIso).gsi1sk, [N['#due']]: leaseUntilIso },
    add: { [N['#attempts']]: 1 },
  });
}

/** Ends an entry that was queued too often without an outcome (its jobs keep failing): recorded as failed. */
export function giveUpDue(e: DueEntry, error: { code: string; message: string }, nowIso: string): Promise<boolean> {
  return updateWhileDue(e, { set: { [N['#status']]: 'failed', [N['#error']]: error, [N['#lu']]: nowIso }, remove: ['gsi1pk', 'gsi1sk', N['#due']] });
}

/** An update of a due entry as it was listed (same sort key, still pending): false when it changed since. */
async function updateWhileDue(e: DueEntry, spec: UpdateSpec): Promise<boolean> {
  return updateIf(async () => {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.insightsStatus(e.sessionId),
        ...updateExpression(spec, { names: names('#status'), values: { ':old': e.dueKey, ':pending': 'pending' } }),
        ConditionExpression: 'gsi1sk = :old AND #status = :pending',
      }),
    );
  });
}

/**
 * The right to generate the insights of one activity, for `token` until `untilMs`: true for exactly one
 * caller while the activity is pending and unclaimed (or its claim expired). False: done, failed, superseded
 * by a newer activity, or being generated elsewhere.
 */
export async function claimActivity(job: InsightsJob, token: string, untilMs: number, nowMs = Date.now()): Promise<boolean> {
  return updateIf(async () => {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.insightsStatus(job.sessionId),
        ...updateExpression(
          { set: { [N['#claim']]: token, [N['#until']]: untilMs } },
          { names: names('#until', '#activity', '#status'), values: { ':activity': job.activity, ':pending': 'pending', ':now': nowMs } },
        ),
        ConditionExpression: '#activity = :activity AND #status = :pending AND (attribute_not_exists(#until) OR #until < :now)',
      }),
    );
  });
}

/** Gives a claim back (the generation failed in a way a retry may fix): the job's redelivery can claim again. */
export async function releaseClaim(sessionId: string, token: string): Promise<void> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.insightsStatus(sessionId),
        ...updateExpression({ remove: [N['#claim'], N['#until']] }, { names: names('#claim'), values: { ':token': token } }),
        ConditionExpression: '#claim = :token',
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

export interface Outcome {
  modelId: string;
  usage: { inputTokens: number; outputTokens: number; totalCost: number };
  error?: { code: string; message: string; issues?: string[] };
}

/**
 * Settling an activity: the session's mark (TURN_ATTRIBUTES.insightsActivity, functions/insights/due.ts) is
 * removed in the same transaction, only if it is still the one the worker read when it started.
 */
export interface Settle {
  /** The mark the worker read (absent: the session had none). */
  insightsActivity?: string;
}

/** Settling found a newer answer's mark on the session: that activity is re-scheduled, not settled. */
export class NewerActivity extends Error {
  constructor(readonly insightsActivity: string | undefined) {
    super('A newer activity awaits insights');
    this.name = 'NewerActivity';
  }
}

/**
 * The session's Update in a transaction that settles (or, without `settle`, only needs the session to
 * exist): SETs `set`, and with `settle` REMOVEs the mark on the condition that it is still the one read.
 */
export function sessionUpdateSettling(sessionId: string, settle: Settle | undefined, set: Record<string, unknown> = {}) {
  const mark = TURN_ATTRIBUTES.insightsActivity;
  const onMark = !settle ? '' : settle.insightsActivity ? ' AND #mark = :mark' : ' AND attribute_not_exists(#mark)';
  return {
    TableName: tableName(),
    Key: keys.session(sessionId),
    ...updateExpression(
      { set, ...(settle ? { remove: [mark] } : {}) },
      settle ? { names: { '#mark': mark }, values: settle.insightsActivity ? { ':mark': settle.insightsActivity } : {} } : {},
    ),
    ConditionExpression: `attribute_exists(pk)${onMark}`,
    ...(settle ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
  };
}

/**
 * The session's part of a cancelled settling transaction (at `index`) failed because of a newer mark:
 * throws NewerActivity then; returns when the session is gone or the failure was elsewhere.
 */
export function throwIfNewerActivity(err: unknown, index: number): void {
  const reason = cancellationReasons(err)?.[index];
  if (reason?.Code !== 'ConditionalCheckFailed' || !reason.Item) return;
  throw new NewerActivity(insightsActivityOf(SESSION.item(fromAttributeValues(reason.Item))));
}

/** When an activity (an answer's id) is due: idle for `idleMs` after it, and not before now. */
export function dueAfter(activityId: string, idleMs: number, nowMs = Date.now()): { activity: string; due: string; idle: boolean } {
  const at = decodeTime(activityId);
  return { activity: isoOf(at), due: isoOf(Math.max(at + idleMs, nowMs)), idle: at + idleMs <= nowMs };
}

/**
 * A claimed activity that is not idle yet (or was overtaken while generating): the status stays pending
 * for the newer activity, due when it is idle, and the claim is given back. False when the claim was lost.
 */
export async function rescheduleClaimed(sessionId: string, token: string, activityId: string, idleMs: number, nowMs = Date.now()): Promise<boolean> {
  const { activity, due } = dueAfter(activityId, idleMs, nowMs);
  return updateIf(async () => {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.insightsStatus(sessionId),
        ...updateExpression(
          {
            set: {
              ...keys.insightsDueIndex(sessionId, due),
              [N['#status']]: 'pending',
              [N['#activity']]: activity,
              [N['#due']]: due,
              [N['#attempts']]: 0,
              [N['#lu']]: activity,
            },
            remove: [N['#claim'], N['#until']],
          },
          { names: names('#claim'), values: { ':token': token } },
        ),
        ConditionExpression: '#claim = :token',
      }),
    );
  });
}

/** The status update that ends a claimed activity (a TransactItem for putInsights, or a write of its own). */
function outcomeUpdate(sessionId: string, token: string, outcome: Outcome, nowIso: string) {
  return {
    TableName: tableName(),
    Key: keys.insightsStatus(sessionId),
    ...updateExpression(
      {
        set: {
          [N['#status']]: outcome.error ? 'failed' : 'generated',
          [N['#model']]: outcome.modelId,
          [N['#usage']]: outcome.usage,
          [N['#lu']]: nowIso,
          [N['#error']]: outcome.error,
        },
        // A success clears the error of an earlier failed attempt.
        remove: ['gsi1pk', 'gsi1sk', N['#due'], N['#claim'], N['#until'], ...(outcome.error ? [] : [N['#error']])],
      },
      { names: names('#claim'), values: { ':token': token } },
    ),
    ConditionExpression: '#claim = :token',
  };
}

/** For putInsights' transaction: the activity is generated (conditioned on the claim). */
export const generatedStatusWrite = (sessionId: string, token: string, outcome: Outcome, nowIso: string) => ({
  Update: outcomeUpdate(sessionId, token, outcome, nowIso),
});

/**
 * The activity failed (no insights stored), settling the session's mark when `settle` is given (throws
 * NewerActivity if a newer answer marked it). False when the claim was lost (a newer activity replaced it).
 */
export async function recordFailed(
  sessionId: string,
  token: string,
  outcome: Outcome & { error: NonNullable<Outcome['error']> },
  nowIso: string,
  settle?: Settle,
): Promise<boolean> {
  try {
    if (!settle) {
      await ddb().send(new UpdateCommand(outcomeUpdate(sessionId, token, outcome, nowIso)));
      return true;
    }
    await ddb().send(
      new TransactWriteCommand({
        TransactItems: [{ Update: outcomeUpdate(sessionId, token, outcome, nowIso) }, { Update: sessionUpdateSettling(sessionId, settle) }],
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err) || cancellationReasons(err)?.[0]?.Code === 'ConditionalCheckFailed') return false;
    throwIfNewerActivity(err, 1);
    // The session is gone: the failure is recorded on the status alone.
    if (cancellationReasons(err)?.[1]?.Code === 'ConditionalCheckFailed') return recordFailed(sessionId, token, outcome, nowIso);
    throw err;
  }
}

/** SESSION#s / INSIGHTS_STATUS: the status and its claim (attempts absent until the first queueing). */
const STATUS = entity<Omit<SessionInsightsStatus, 'attempts'> & { attempts?: number; claimId?: string; claimUntil?: number }>();

/** The status as admins see it (no keys, claims or owner fields). */
export async function getInsightsStatus(sessionId: string): Promise<SessionInsightsStatus | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.insightsStatus(sessionId), ConsistentRead: true }));
  if (!out.Item) return undefined;
  const i = STATUS.item(out.Item);
  return {
    sessionId: String(i.sessionId),
    status: i.status,
    activity: String(i.activity),
    ...(i.dueDate ? { dueDate: String(i.dueDate) } : {}),
    attempts: Number(i.attempts ?? 0),
    ...(i.modelId ? { modelId: String(i.modelId) } : {}),
    ...(i.usage ? { usage: i.usage } : {}),
    ...(i.error ? { error: i.error } : {}),
    lastUpdate: String(i.lastUpdate),
  };
}
