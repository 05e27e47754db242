/**
 * The export job (issue 27 item 2; docs/security.md#export): one queue message per export, which streams the
 * user's data (./export-document.ts) into one S3 object under `exports/<user>/<exportId>.ndjson` and marks the
 * export done. Idempotent: a delivery of an export no longer running does nothing, and a redelivery of one
 * still running writes the same key again (the object appears only when its upload completes), so there is
 * never more than one document per export. An erasure wins: an export is not run while the user's erasure
 * runs, and a document completed after an erasure was asked is deleted at once.
 */
import { getErasureRecord } from '../data/erasure';
import { finishExport, getExportRecord } from '../data/exports';
import { logger } from '../platform/logger';
import { exportLines } from './export-document';
import { deleteFileObjects } from './purge-session';

type Outcome = 'done' | 'not-running' | 'erased' | 'failed';

const objects = () => import('../files/export-objects');

/** The erasure asked at or after `since` (ISO), if any: what an export of before then must not outlive. */
async function erasedSince(userId: string, since: string): Promise<boolean> {
  const erasure = await getErasureRecord(userId);
  return !!erasure && (erasure.status === 'running' || erasure.requestedAt >= since);
}

const deleteDocument = (key: string) => deleteFileObjects([key]);

/** Runs one export; throws (to be delivered again) on a dependency failure. */
export async function runExport(job: { userId: string; exportId: string }, deadlineMs: number): Promise<Outcome> {
  const { userId, exportId } = job;
  const record = await getExportRecord(userId, exportId);
  if (record?.status !== 'running') return 'not-running';
  if (await erasedSince(userId, record.createdAt)) {
    await finishExport(userId, exportId, 'failed', { error: { code: 'USER_ERASURE_IN_PROGRESS', message: 'The user’s data was erased' } });
    return 'erased';
  }
  const writer = await (await objects()).openDocument(record.s3Key, { contentType: 'application/x-ndjson', fileName: `export-${exportId}.ndjson` });
  let counts: Record<string, number> = {};
  let bytes: number;
  try {
    for await (const line of exportLines(userId, record)) {
      if (Date.now() > deadlineMs) {
        await writer.abort();
        await finishExport(userId, exportId, 'failed', {
          error: { code: 'EXPORT_TOO_LARGE', message: 'The export did not finish within the worker’s time; ask an operator' },
        });
        logger.warn('export ran out of time', { userId, exportId });
        return 'failed';
      }
      if (line.type === 'end') counts = line.counts as Record<string, number>;
      await writer.write(`${JSON.stringify(line)}\n`);
    }
    bytes = await writer.complete();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  // An erasure asked while the document was written: it may have listed the user's objects before this one existed.
  if (await erasedSince(userId, record.createdAt)) {
    await deleteDocument(record.s3Key);
    return 'erased';
  }
  if (!(await finishExport(userId, exportId, 'done', { counts, bytes })) && !(await getExportRecord(userId, exportId))) {
    await deleteDocument(record.s3Key); // its record is gone (erased meanwhile): so is the document
    return 'erased';
  }
  logger.info('user data exported', { userId, exportId, bytes, counts });
  return 'done';
}

/** After the queue's last delivery of a failing export: marked failed (the user asks again). */
export async function failExport(userId: string, exportId: string, err: unknown): Promise<void> {
  await finishExport(userId, exportId, 'failed', {
    error: { code: (err as { code?: string })?.code ?? 'INTERNAL', message: 'The export failed after its retries; ask again' },
  }).catch(() => undefined);
}
