/**
 * The export job (issue 27 item 2; docs/security.md#export): the user's data (./export-document.ts) streamed into
 * one S3 object, `exports/<user>/<exportId>.ndjson`, by a multipart upload, one queue message per step like an
 * erasure. A step writes lines until it has sent a part after its time (LIFECYCLE_STEP_MS) is up — a part sent is
 * a checkpoint: nothing buffered, the cursor after its last line — then sends the next step and saves the cursor
 * and the upload's parts on the export record. The last step completes the upload and marks the export done.
 *
 * Idempotent: a message of an export no longer running, or of an older step, does nothing; one of a newer step
 * is early (thrown: delivered again); a redelivered step resumes from the saved checkpoint, re-sending what it
 * had sent since. The object appears only when its upload completes, so an export never has a half document or
 * more than one. An erasure wins: an export is not run while the user's erasure runs, and a document completed
 * after an erasure was asked is deleted at once.
 */
import { getErasureRecord } from '../data/erasure';
import { finishExport, getExportRecord, saveExportProgress, type ExportRecord } from '../data/exports';
import type { UploadState } from '../files/export-objects';
import { logger } from '../platform/logger';
import { EXPORT_START, exportLines, type ExportCursor } from './export-document';
import { sendLifecycleJob } from './jobs';
import { deleteFileObjects } from './purge-session';

type Outcome = 'done' | 'continued' | 'not-running' | 'stale' | 'erased';
interface Progress {
  cursor: ExportCursor;
  upload: UploadState;
}

const objects = () => import('../files/export-objects');

/** The erasure asked at or after `since` (ISO), if any: what an export of before then must not outlive. */
async function erasedSince(userId: string, since: string): Promise<boolean> {
  const erasure = await getErasureRecord(userId);
  return !!erasure && (erasure.status === 'running' || erasure.requestedAt >= since);
}

const deleteDocument = (key: string) => deleteFileObjects([key]);

async function giveUp(record: ExportRecord, error: { code: string; message: string }): Promise<void> {
  const upload = (record.progress as Progress | undefined)?.upload;
  if (upload) await (await objects()).abortUpload(record.s3Key, upload.uploadId).catch(() => undefined);
  await finishExport(record.userId, record.exportId, 'failed', { error });
}

/** One step of an export; throws (to be delivered again) on a dependency failure or an early step. */
export async function runExportStep(job: { userId: string; exportId: string; step: number }, deadlineMs: number): Promise<Outcome> {
  const { userId, exportId } = job;
  const record = await getExportRecord(userId, exportId);
  if (record?.status !== 'running') return 'not-running';
  if (job.step < record.step) return 'stale';
  if (job.step > record.step) throw Object.assign(new Error('This export step is early: its predecessor has not saved yet'), { name: 'EarlyStep' });
  if (await erasedSince(userId, record.createdAt)) {
    await giveUp(record, { code: 'USER_ERASURE_IN_PROGRESS', message: 'The user’s data was erased' });
    return 'erased';
  }
  const saved = record.progress as Progress | undefined;
  const writer = await (await objects()).openDocument(
    record.s3Key,
    { contentType: 'application/x-ndjson', fileName: `export-${exportId}.ndjson` },
    saved?.upload,
  );
  let cursor: ExportCursor = saved?.cursor ?? EXPORT_START;
  try {
    for await (const next of exportLines(userId, record, cursor)) {
      cursor = next.cursor;
      if (!(await writer.write(`${JSON.stringify(next.line)}\n`)) || Date.now() < deadlineMs) continue;
      // A part was sent after the step's time: a checkpoint. The next message first, then the progress (a crash
      // between the two redelivers this step, which resumes from the previous checkpoint; its successor is then early or stale).
      await sendLifecycleJob({ kind: 'export-user', userId, exportId, step: record.step + 1 });
      const progress: Progress = { cursor, upload: writer.state() };
      if (!(await saveExportProgress(userId, exportId, record.step, record.step + 1, progress)) && !saved) await writer.abort();
      return 'continued';
    }
  } catch (err) {
    if (!saved) await writer.abort(); // a first step's own upload; a resumed one is kept for the redelivery
    throw err;
  }
  const bytes = await writer.complete();
  // An erasure asked while the document was written: it may have listed the user's objects before this one existed.
  if (await erasedSince(userId, record.createdAt)) {
    await deleteDocument(record.s3Key);
    return 'erased';
  }
  if (!(await finishExport(userId, exportId, 'done', { counts: cursor.counts, bytes })) && !(await getExportRecord(userId, exportId))) {
    await deleteDocument(record.s3Key); // its record is gone (erased meanwhile): so is the document
    return 'erased';
  }
  logger.info('user data exported', { userId, exportId, bytes, counts: cursor.counts, steps: record.step + 1 });
  return 'done';
}

/** After the queue's last delivery of a failing step: the export is marked failed (the user asks again). */
export async function failExport(userId: string, exportId: string, err: unknown): Promise<void> {
  const record = await getExportRecord(userId, exportId).catch(() => undefined);
  if (record?.status !== 'running') return;
  await giveUp(record, {
    code: (err as { code?: string })?.code ?? 'INTERNAL',
    message: 'The export failed after its retries; ask again',
  }).catch(() => undefined);
}
