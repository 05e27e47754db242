/** The routes' side of an erasure: start it (or find the one running) and send its first step; read where it stands. */
import { erasureView, finishErasure, getErasureRecord, startErasure, type Erasure } from '../data/erasure';
import { notFound } from '../platform/errors';
import { sendLifecycleJob } from './jobs';

/** Starts the user's erasure, or answers the one running; a job that cannot be queued leaves it failed (503). */
export async function requestErasure(userId: string, requestedBy: 'user' | 'admin'): Promise<Erasure> {
  const { record, started } = await startErasure(userId, requestedBy);
  if (started) {
    try {
      await sendLifecycleJob({ kind: 'erase-user', userId, step: record.step });
    } catch (err) {
      await finishErasure(record, 'failed', { error: { code: 'DEPENDENCY_UNAVAILABLE', message: 'The erasure could not be queued; request it again' } }).catch(
        () => undefined,
      );
      throw err;
    }
  }
  return erasureView(record);
}

export async function erasureOf(userId: string): Promise<Erasure> {
  const record = await getErasureRecord(userId);
  if (!record) throw notFound('Erasure');
  return erasureView(record);
}
