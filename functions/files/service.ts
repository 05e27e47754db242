/**
 * Files attached to converse messages, as the domain sees them: announcing an upload (the record and a
 * presigned POST that pins key, type and size), a download link, the check converse makes before a turn
 * (the server's record of each fileId, uploaded as announced), the agent's view of a file, and removal with
 * a session. The chat app's `fileUpload` feature sets the rules (pika-shared/schemas: fileUploadFeatureSchema).
 */
import type { ChatAppConfig, ChatMessageFile } from 'pika-shared/types/chatbot/chatbot-types';
import { DEFAULT_FILE_MAX_BYTES, DEFAULT_FILE_MIME_TYPES, fileUploadFeatureSchema } from 'pika-shared/schemas';
import type * as z from 'zod';
import { getFileRecord, markFilesAttached, putFileRecord, type FileRecord } from '../data/files';
import { newId, nowIso } from '../data/items';
import { fileObjectKey } from '../data/keys';
import { retentionDaysOf } from '../data/ttl';
import type { Session } from '../data/sessions';
import { config } from '../platform/config';
import { DomainError, forbidden, notFound, payloadTooLarge, validationFailed } from '../platform/errors';
import { logger } from '../platform/logger';
import type * as Storage from './storage';
import type * as Lifecycle from './storage-lifecycle';

// The S3 client and its SDK load with the first file operation (each import a chunk of its own: lib/constructs/bundling.ts):
// most requests of sessions and converse touch no file, and converse makes only a turn's calls (./storage.ts).
const storage = () => import('./storage');
const lifecycle = () => import('./storage-lifecycle');
const presignUpload: typeof Lifecycle.presignUpload = async (...a) => (await lifecycle()).presignUpload(...a);
const presignDownload: typeof Storage.presignDownload = async (...a) => (await storage()).presignDownload(...a);
const headObject: typeof Storage.headObject = async (...a) => (await storage()).headObject(...a);
const tagObject: typeof Storage.tagObject = async (...a) => (await storage()).tagObject(...a);

export interface FileSettings {
  enabled: boolean;
  allowedMimeTypes: readonly string[];
  maxSizeBytes: number;
  useCase: 'CHAT' | 'CODE_INTERPRETER';
}

/** The chat app's file rules: its `fileUpload` feature over the defaults (an unreadable feature: the defaults). */
export function fileSettings(app: Pick<ChatAppConfig, 'features' | 'chatAppId'>): FileSettings {
  const raw = app.features?.fileUpload;
  const parsed = raw ? fileUploadFeatureSchema.safeParse(raw) : undefined;
  if (parsed && !parsed.success) logger.warn('fileUpload feature unreadable; defaults used', { chatAppId: app.chatAppId });
  const f: Partial<z.infer<typeof fileUploadFeatureSchema>> = parsed?.success ? parsed.data : {};
  return {
    enabled: f.enabled ?? true,
    allowedMimeTypes: f.allowedMimeTypes ?? DEFAULT_FILE_MIME_TYPES,
    maxSizeBytes: f.maxSizeBytes ?? DEFAULT_FILE_MAX_BYTES,
    useCase: f.useCase ?? 'CHAT',
  };
}

/** The spec's ChatMessageFile of a record (what clients and messages carry). */
export const messageFileOf = (r: FileRecord): ChatMessageFile => ({
  fileId: r.fileId,
  fileName: r.fileName,
  mimeType: r.mimeType,
  size: r.size,
  s3Key: r.s3Key,
  uploadDate: r.uploadDate,
});

function checkAnnouncement(settings: FileSettings, mimeType: string, size: number): void {
  if (!settings.enabled) throw forbidden('File uploads are turned off in this chat app');
  if (!settings.allowedMimeTypes.includes(mimeType)) {
    throw validationFailed(`Files of type ${mimeType} are not accepted in this chat app`, [
      { path: 'body.mimeType', message: `allowed types: ${settings.allowedMimeTypes.join(', ')}` },
    ]);
  }
  if (size > settings.maxSizeBytes)
    throw payloadTooLarge(`Files are limited to ${settings.maxSizeBytes} bytes in this chat app`, { maxSizeBytes: settings.maxSizeBytes, size });
}

/** A new file in the caller's session: its record, and the form that uploads exactly it. */
export async function announceUpload(
  session: Session,
  app: ChatAppConfig,
  body: { fileName: string; mimeType: string; size: number },
): Promise<{ file: ChatMessageFile; upload: { url: string; fields: Record<string, string>; expiresAt: string } }> {
  checkAnnouncement(fileSettings(app), body.mimeType, body.size);
  const fileId = newId();
  const record: FileRecord = {
    fileId,
    fileName: body.fileName,
    mimeType: body.mimeType,
    size: body.size,
    s3Key: fileObjectKey(session.userId, session.sessionId, fileId),
    uploadDate: nowIso(),
    userId: session.userId,
    sessionId: session.sessionId,
  };
  const seconds = config().FILE_UPLOAD_URL_SECONDS;
  // Signed first: a deployment without a bucket stores nothing.
  const upload = await presignUpload(record.s3Key, record.mimeType, record.size, seconds);
  await putFileRecord(record, retentionDaysOf(app));
  return { file: messageFileOf(record), upload: { ...upload, expiresAt: nowIso(Date.now() + seconds * 1000) } };
}

/** A short-lived link to a session's file (the caller's right to read the session is checked before). */
export async function downloadLink(sessionId: string, fileId: string): Promise<{ file: ChatMessageFile; url: string; expiresAt: string }> {
  const record = await getFileRecord(sessionId, fileId);
  if (!record || !(await headObject(record.s3Key))) throw notFound('File');
  const seconds = config().FILE_DOWNLOAD_URL_SECONDS;
  return { file: messageFileOf(record), url: await presignDownload(record.s3Key, record.fileName, seconds), expiresAt: nowIso(Date.now() + seconds * 1000) };
}

/**
 * The files of a converse request as the server knows them. Only `fileId` is trusted: each must be a file of
 * this session and caller (else 404), the client's `s3Key` (when sent) must be the record's (else 400), and
 * the object must be uploaded as announced: its size and type (HeadObject) match the record (else 400).
 */
export async function filesForTurn(
  userId: string,
  session: Session | undefined,
  app: ChatAppConfig,
  files: ChatMessageFile[] | undefined,
): Promise<FileRecord[]> {
  if (!files?.length) return [];
  const bad = (message: string, path: string, detail: string) => new DomainError('VALIDATION_FAILED', message, [{ path, message: detail }]);
  if (!session)
    throw bad(
      'Files belong to a session: upload them to one (POST /sessions/{sessionId}/files) and give its sessionId',
      'body.sessionId',
      'required with files',
    );
  if (!fileSettings(app).enabled) throw forbidden('File uploads are turned off in this chat app');
  const ids = files.map((f) => f.fileId);
  if (new Set(ids).size !== ids.length) throw bad('A file is attached twice', 'body.files', 'duplicate fileId');
  const records = await Promise.all(files.map((f) => getFileRecord(session.sessionId, f.fileId)));
  return Promise.all(
    files.map(async (f, i) => {
      const record = records[i];
      if (!record || record.userId !== userId || record.sessionId !== session.sessionId) throw notFound(`File ${f.fileId}`);
      if (f.s3Key !== record.s3Key) throw bad(`File ${f.fileId} is not stored at that s3Key`, `body.files.${i}.s3Key`, 'does not match the file');
      const head = await headObject(record.s3Key);
      if (!head) throw bad(`File ${f.fileId} has not been uploaded`, `body.files.${i}.fileId`, 'not uploaded');
      if (head.size !== record.size || (head.contentType ?? '').toLowerCase() !== record.mimeType) {
        throw bad(`File ${f.fileId} was not uploaded as announced (size or type differ)`, `body.files.${i}.fileId`, 'upload does not match');
      }
      return record;
    }),
  );
}

/**
 * Keeps files a message is about to use: their objects tagged `attached` (out of reach of the rule that
 * expires pending uploads), their records marked. Before the message is stored: a failure refuses the turn.
 */
export async function attachFiles(sessionId: string, records: FileRecord[]): Promise<void> {
  const fresh = records.filter((r) => !r.attachedAt);
  if (!fresh.length) return;
  await Promise.all(fresh.map((r) => tagObject(r.s3Key, 'attached')));
  await markFilesAttached(
    sessionId,
    fresh.map((r) => r.fileId),
    nowIso(),
  );
}

/** What an agent is given of a file: where it is (S3 URI) and a short-lived link to read it. */
export interface AgentFile extends ChatMessageFile {
  s3Uri: string;
  url: string;
  urlExpiresAt: string;
  useCase: 'CHAT' | 'CODE_INTERPRETER';
}

export async function agentFiles(app: ChatAppConfig, records: ChatMessageFile[]): Promise<AgentFile[]> {
  const seconds = config().FILE_DOWNLOAD_URL_SECONDS;
  const { useCase } = fileSettings(app);
  const urlExpiresAt = nowIso(Date.now() + seconds * 1000);
  const { s3Uri } = await storage();
  return Promise.all(
    records.map(async (r) => ({ ...r, s3Uri: s3Uri(r.s3Key), url: await presignDownload(r.s3Key, r.fileName, seconds), urlExpiresAt, useCase })),
  );
}
