/** The routes' side of an export: start one and queue its job; read where it stands, with a fresh download link when done. */
import { finishExport, getExportRecord, startExport, type ExportRecord } from '../data/exports';
import { notFound } from '../platform/errors';
import { sendLifecycleJob } from './jobs';

/** How long a download link works (made at each GET of a finished export). */
export const EXPORT_LINK_SECONDS = 15 * 60;

export interface ExportView {
  exportId: string;
  status: ExportRecord['status'];
  createdAt: string;
  completedAt?: string;
  downloadUrl?: string;
  downloadUrlExpiresAt?: string;
  expiresAt: string;
  counts?: Record<string, number>;
  error?: { code: string; message: string };
}

const viewOf = (r: ExportRecord, link?: { url: string; expiresAt: string }): ExportView => ({
  exportId: r.exportId,
  status: r.status,
  createdAt: r.createdAt,
  ...(r.completedAt ? { completedAt: r.completedAt } : {}),
  ...(link ? { downloadUrl: link.url, downloadUrlExpiresAt: link.expiresAt } : {}),
  expiresAt: new Date(r.expiresAt * 1000).toISOString(),
  ...(r.counts ? { counts: r.counts } : {}),
  ...(r.error ? { error: r.error } : {}),
});

/** Starts an export of the user's data (409 while their erasure or another export of theirs runs); a job that cannot be queued leaves it failed (503). */
export async function requestExport(userId: string): Promise<ExportView> {
  const record = await startExport(userId);
  try {
    await sendLifecycleJob({ kind: 'export-user', userId, exportId: record.exportId, step: 0 });
  } catch (err) {
    await finishExport(userId, record.exportId, 'failed', {
      error: { code: 'DEPENDENCY_UNAVAILABLE', message: 'The export could not be queued; ask again' },
    }).catch(() => undefined);
    throw err;
  }
  return viewOf(record);
}

/** The caller's export (another user's, an unknown or an expired one: 404); a download link only when done. */
export async function exportOf(userId: string, exportId: string, nowMs = Date.now()): Promise<ExportView> {
  const record = await getExportRecord(userId, exportId);
  // DynamoDB deletes expired items within days, not at once: past its expiry an export is gone for the API too.
  if (!record || record.expiresAt * 1000 <= nowMs) throw notFound('Export');
  if (record.status !== 'done') return viewOf(record);
  const { presignExportDownload } = await import('../files/export-links');
  const url = await presignExportDownload(record.s3Key, EXPORT_LINK_SECONDS);
  return viewOf(record, { url, expiresAt: new Date(nowMs + EXPORT_LINK_SECONDS * 1000).toISOString() });
}
