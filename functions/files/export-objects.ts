/**
 * Export documents in the files bucket, under `exports/` (its own lifecycle rule and grants: lib/constructs/chat-files.ts),
 * written as they are produced — a multipart upload whose parts are sent as they fill, so memory holds one part
 * (PART_BYTES) and one line however big the user. Their download links: ./export-links.ts (the users function's chunk).
 * The object becomes visible only when the upload completes: a job that fails or runs again leaves no half
 * document (an upload never completed is aborted, and the bucket's rule aborts any left after a day).
 */
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { filesBucket, s3Client, s3Failure } from './storage';

/** Bytes of a part (S3: at least 5 MiB but the last). */
export const PART_BYTES = 8 * 1024 * 1024;

/** An upload in progress, saved between the steps of a job: parts sent so far and their bytes. */
export interface UploadState {
  uploadId: string;
  parts: { PartNumber: number; ETag: string }[];
  bytes: number;
}

export interface DocumentWriter {
  /** Adds text; a full part is sent first (then true: the state is a checkpoint, nothing buffered). */
  write(text: string): Promise<boolean>;
  /** The upload as sent so far (what a next step resumes). */
  state(): UploadState;
  /** Sends the last part and completes the object; its size in bytes. */
  complete(): Promise<number>;
  /** Gives up: no object is made (never throws). */
  abort(): Promise<void>;
}

/** Aborts an upload and drops its parts (one already gone is no error). */
export async function abortUpload(key: string, uploadId: string): Promise<void> {
  try {
    await s3Client().send(new AbortMultipartUploadCommand({ Bucket: filesBucket(), Key: key, UploadId: uploadId }));
  } catch (err) {
    if ((err as { name?: string })?.name !== 'NoSuchUpload') throw s3Failure(err);
  }
}

/** A new document at `key`, or the upload `resume` goes on with. */
export async function openDocument(key: string, opts: { contentType: string; fileName: string }, resume?: UploadState): Promise<DocumentWriter> {
  const Bucket = filesBucket();
  const s3 = s3Client();
  let uploadId: string;
  if (resume) uploadId = resume.uploadId;
  else
    try {
      const out = await s3.send(
        new CreateMultipartUploadCommand({
          Bucket,
          Key: key,
          ContentType: opts.contentType,
          ContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(opts.fileName)}`,
        }),
      );
      uploadId = out.UploadId!;
    } catch (err) {
      throw s3Failure(err);
    }
  const parts = [...(resume?.parts ?? [])];
  let chunks: Buffer[] = [];
  let buffered = 0;
  let sent = resume?.bytes ?? 0;
  const sendPart = async () => {
    const body = Buffer.concat(chunks, buffered);
    const PartNumber = parts.length + 1;
    try {
      const out = await s3.send(new UploadPartCommand({ Bucket, Key: key, UploadId: uploadId, PartNumber, Body: body }));
      parts.push({ PartNumber, ETag: out.ETag! });
    } catch (err) {
      throw s3Failure(err);
    }
    sent += buffered;
    chunks = [];
    buffered = 0;
  };
  return {
    async write(text) {
      const chunk = Buffer.from(text, 'utf8');
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered < PART_BYTES) return false;
      await sendPart();
      return true;
    },
    state: () => ({ uploadId, parts: [...parts], bytes: sent }),
    async complete() {
      if (buffered > 0 || parts.length === 0) await sendPart();
      try {
        await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      } catch (err) {
        throw s3Failure(err);
      }
      return sent;
    },
    async abort() {
      chunks = [];
      await abortUpload(key, uploadId).catch(() => undefined); // else the bucket's rule aborts it after a day
    },
  };
}
