/** File uploads as a browser does them: announce (POST /sessions/{id}/files), then a multipart form POST to S3. */
import type { Api } from './harness';

export interface Announced {
  file: { fileId: string; fileName: string; mimeType: string; size: number; s3Key: string; uploadDate: string };
  upload: { url: string; fields: Record<string, string>; expiresAt: string };
}

export async function announce(api: Api, token: string, sessionId: string, body: { fileName: string; mimeType: string; size: number }) {
  return api.call('POST', `/sessions/${sessionId}/files`, { token, body });
}

/** The presigned POST: its fields first, then the file (S3 reads fields after `file` as not covered). */
export async function browserUpload(upload: Announced['upload'], content: string | Uint8Array, contentType: string, extra: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries({ ...upload.fields, ...extra })) form.append(k, v);
  form.append('file', new Blob([typeof content === 'string' ? content : Buffer.from(content)], { type: contentType }), 'upload');
  const res = await fetch(upload.url, { method: 'POST', body: form });
  return { status: res.status, text: await res.text() };
}

/** Announces and uploads `content`; returns the file record. */
export async function uploadFile(api: Api, token: string, sessionId: string, fileName: string, mimeType: string, content: string | Uint8Array) {
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  const a = await announce(api, token, sessionId, { fileName, mimeType, size });
  if (a.status !== 201) throw new Error(`announce: ${a.status} ${JSON.stringify(a.body)}`);
  const up = await browserUpload(a.body.upload, content, mimeType);
  if (up.status !== 204) throw new Error(`upload: ${up.status} ${up.text}`);
  return a.body.file;
}

export const uploadedFile = async (api: Api, token: string, sessionId: string, fileName: string, mimeType: string, content: string) =>
  (await uploadFile(api, token, sessionId, fileName, mimeType, content)).fileId;
