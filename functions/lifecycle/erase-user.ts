/**
 * Erasing a user (issue 27; docs/security.md#erasure), one queue message per step, each bounded in time:
 *
 *   sessions     each session of the user's session index (gsi1 `USER#u`): everything in its partition —
 *                messages, hidden messages, feedback with internal comments, insights and their status, file
 *                records with their S3 objects, debits, idempotency records — META last, so a session stays
 *                findable until nothing else of it is left
 *   idempotency  the records of turns that started a session (`SESSION#u.<user>`)
 *   usage        the user's day and month items moved to a random pseudonym (reports still add up)
 *   budgets      the user's budget overrides in every chat app they were seen in
 *   files        every object under `files/<user>/` (sessions deleted long ago included) and `exports/<user>/`,
 *                and the uploads of exports still running
 *   memory       every event and record of the user in every registered AgentCore memory
 *   user         profile, widget data, memory mark, export records (`USER#u`, all but the erasure record), rate-limit counters
 *   settle       once the longest turn running at the request has ended: the whole pass again, then done
 *
 * Every phase reads from the start of what is left (the data is the progress), so a redelivered step redoes
 * at most a page. Only Query/GetItem; no Scan.
 */
import * as ACCESS from '../data/access-patterns';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from '../data/client';
import { ERASURE_SK, userExportsPrefix, userFilesPrefix, userSessionsPartition } from '../data/keys';
import { getErasureRecord, finishErasure, saveErasureProgress, type ErasureProgress, type ErasureRecord } from '../data/erasure';
import { runningExportUploads } from '../data/exports';
import { newSessionTurnsPartition, purgePartitionPage, rateLimitPartition, userPartition } from '../data/purge';
import { deleteUserBudgetOverride, rekeyUsagePage, usageChatAppsPage } from '../data/usage-erasure';
import { logger } from '../platform/logger';
import { config } from '../platform/config';
import { registeredMemories } from '../memory/registry';
import { forgetInMemory } from '../memory/user-memory';
import { MAX_DELAY_SECONDS, sendLifecycleJob } from './jobs';
import { deleteFileObjects, purgeWholeSession } from './purge-session';

type Outcome = 'done' | 'continued' | 'stale' | 'not-running';
type Unit = { delaySeconds?: number } | undefined;

const count = (p: ErasureProgress, kind: string, n: number) => {
  if (n) p.counts[kind] = (p.counts[kind] ?? 0) + n;
};

/** The next phase after `phase` (settle decides itself). */
const NEXT: Record<Exclude<ErasureProgress['phase'], 'settle' | 'done'>, ErasureProgress['phase']> = {
  sessions: 'idempotency',
  idempotency: 'usage',
  usage: 'budgets',
  budgets: 'files',
  files: 'memory',
  memory: 'user',
  user: 'settle',
};

/** One bounded unit of the current phase; moves `p` on. */
async function advance(userId: string, record: ErasureRecord, p: ErasureProgress, deadlineMs: number): Promise<Unit> {
  switch (p.phase) {
    case 'sessions': {
      const out = await ddb().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: ACCESS.userSessions,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': userSessionsPartition(userId) },
          ProjectionExpression: 'sessionId, chatAppId',
          Limit: 25,
        }),
      );
      const sessions = (out.Items ?? []) as Array<{ sessionId: string; chatAppId?: string }>;
      if (!sessions.length) return void (p.phase = NEXT.sessions);
      for (const s of sessions) {
        if (s.chatAppId && !p.chatApps.includes(s.chatAppId)) p.chatApps.push(s.chatAppId);
        const r = await purgeWholeSession(s.sessionId, deadlineMs);
        count(p, 'items', r.deleted);
        count(p, 'objects', r.objects);
        if (!r.done) return; // the deadline: this session is still listed, the next step goes on with it
        // A session the index still lists for a moment after its purge deletes nothing and is not counted twice.
        count(p, 'sessions', Number(r.deleted > 0));
      }
      return;
    }
    case 'idempotency': {
      const page = await purgePartitionPage(newSessionTurnsPartition(userId));
      count(p, 'items', page.deleted);
      if (!page.more) p.phase = NEXT.idempotency;
      return;
    }
    case 'usage': {
      const { chatApps } = await usageChatAppsPage(userId);
      if (!chatApps.length) return void (p.phase = NEXT.usage);
      for (const a of chatApps) {
        if (!p.chatApps.includes(a)) p.chatApps.push(a);
        for (let more = true; more && Date.now() < deadlineMs; ) {
          const r = await rekeyUsagePage(userId, a, p.pseudonym);
          count(p, 'usageItemsPseudonymized', r.moved);
          more = r.more;
        }
      }
      return;
    }
    case 'budgets': {
      for (const a of p.chatApps) count(p, 'budgetOverrides', Number(await deleteUserBudgetOverride(a, userId)));
      p.phase = NEXT.budgets;
      return;
    }
    case 'files': {
      if (!config().FILES_BUCKET) return void (p.phase = NEXT.files);
      const { listObjectKeys } = await import('../files/storage-purge');
      // Uploaded files (sessions deleted long ago included), then export documents: a page of the first non-empty.
      for (const prefix of [userFilesPrefix(userId), userExportsPrefix(userId)]) {
        const { keys: objects } = await listObjectKeys(prefix);
        if (!objects.length) continue;
        await deleteFileObjects(objects);
        count(p, 'objects', objects.length);
        return;
      }
      // Exports still running: their uploads' parts (not objects yet) go too; their steps then find nothing to go on with.
      const uploads = await runningExportUploads(userId);
      if (uploads.length) {
        const { abortUpload } = await import('../files/export-objects');
        for (const u of uploads) await abortUpload(u.key, u.uploadId);
      }
      p.phase = NEXT.files;
      return;
    }
    case 'memory': {
      for (const memory of registeredMemories()) {
        const r = await forgetInMemory(memory, userId);
        count(p, 'memoryRecords', r.records);
        count(p, 'memoryEvents', r.events);
      }
      p.phase = NEXT.memory;
      return;
    }
    case 'user': {
      const own = await purgePartitionPage(userPartition(userId), { keep: (sk) => sk === ERASURE_SK });
      const rate = await purgePartitionPage(rateLimitPartition(userId));
      count(p, 'items', own.deleted + rate.deleted);
      if (!own.more && !rate.more) p.phase = NEXT.user;
      return;
    }
    case 'settle': {
      if (p.pass >= 2) return void (p.phase = 'done');
      const waitMs = Date.parse(record.requestedAt) + config().ERASURE_SETTLE_SECONDS * 1000 - Date.now();
      if (waitMs > 0) return { delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.ceil(waitMs / 1000)) };
      // Whatever a turn that was running at the request stored is erased by this second pass.
      p.pass = 2;
      p.phase = 'sessions';
      return;
    }
    case 'done':
      return;
  }
}

/**
 * One step of a user's erasure: the step the record expects (an older one is a stale duplicate, dropped; a
 * newer one arrived before its predecessor saved: thrown, so the queue delivers it again).
 */
export async function runErasureStep(job: { userId: string; step: number }, deadlineMs: number): Promise<Outcome> {
  const record = await getErasureRecord(job.userId);
  if (record?.status !== 'running' || !record.progress) return 'not-running';
  if (job.step < record.step) return 'stale';
  if (job.step > record.step) throw Object.assign(new Error('This erasure step is early: its predecessor has not saved yet'), { name: 'EarlyStep' });
  const p = structuredClone(record.progress);
  let delaySeconds = 0;
  // At least one unit per step, however late it starts: every step moves the job on.
  do {
    const unit = await advance(job.userId, record, p, deadlineMs);
    if (unit?.delaySeconds) {
      delaySeconds = unit.delaySeconds;
      break;
    }
  } while (p.phase !== 'done' && Date.now() < deadlineMs);
  if (p.phase === 'done') {
    await finishErasure(record, 'done', { counts: p.counts });
    logger.info('user erased', { userId: job.userId, counts: p.counts });
    return 'done';
  }
  // The next message first, then the progress: a crash between the two redelivers this step, which redoes
  // idempotent work and sends its successor again (the duplicate is dropped as stale).
  await sendLifecycleJob({ kind: 'erase-user', userId: job.userId, step: record.step + 1 }, delaySeconds);
  await saveErasureProgress(job.userId, record.step, record.step + 1, p);
  return 'continued';
}

/** After the queue's last delivery of a failing step: the erasure is marked failed (the user or an admin starts it again). */
export async function failErasure(userId: string, err: unknown): Promise<void> {
  const record = await getErasureRecord(userId);
  if (record?.status !== 'running') return;
  await finishErasure(record, 'failed', {
    ...(record.progress ? { counts: record.progress.counts } : {}),
    error: { code: (err as { code?: string })?.code ?? 'INTERNAL', message: 'The erasure failed after its retries; request it again' },
  }).catch(() => undefined);
}
