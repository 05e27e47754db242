/**
 * The local S3 (scripts/local/s3-server.ts) of one test file, in a directory of its own so that a write
 * outside the bucket shows, with the real S3 client and raw HTTP requests to attack it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../scripts/local/dynamodb-local';
import { startLocalS3, type LocalS3 } from '../../scripts/local/s3-server';

export const BUCKET = 'pika-files-s3-test';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The S3 error code of an XML error body. */
  code: string | undefined;
}

export function useLocalS3() {
  let s3: LocalS3;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'pika-s3-test-'));
    s3 = await startLocalS3({ bucket: BUCKET, directory: join(root, 'store') });
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const client = (credentials = LOCAL_CREDENTIALS) =>
    new S3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: LOCAL_REGION,
      credentials,
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });

  /** A request exactly as given (path not normalised, no header added but Host and Content-Length). */
  function raw(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: s3.port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  type SignOptions = { body?: string; headers?: Record<string, string>; query?: Record<string, string>; secret?: string; signingDate?: Date };
  /** The path and headers of a header-signed request (SigV4, the local credentials unless `secret` is given). */
  async function sign(method: string, path: string, opts: SignOptions = {}): Promise<{ path: string; headers: Record<string, string> }> {
    const signer = new SignatureV4({
      credentials: { ...LOCAL_CREDENTIALS, ...(opts.secret ? { secretAccessKey: opts.secret } : {}) },
      region: LOCAL_REGION,
      service: 's3',
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
    });
    const hash = new Hash('sha256');
    hash.update(opts.body ?? '');
    const payload = Buffer.from(await hash.digest()).toString('hex');
    const query = opts.query ?? {};
    const out = await signer.sign(
      {
        method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: s3.port,
        path,
        query,
        headers: { host: `127.0.0.1:${s3.port}`, 'x-amz-content-sha256': payload, ...opts.headers },
        ...(opts.body !== undefined ? { body: opts.body } : {}),
      },
      { signingDate: opts.signingDate ?? new Date() },
    );
    const qs = new URLSearchParams(query).toString().replace(/=(&|$)/g, '$1');
    return { path: `${path}${qs ? `?${qs}` : ''}`, headers: out.headers as Record<string, string> };
  }

  /** A header-signed request sent as is with `raw` (plus `unsignedHeaders`, outside the signature). */
  async function signed(method: string, path: string, opts: SignOptions & { unsignedHeaders?: Record<string, string> } = {}): Promise<RawAnswer> {
    const out = await sign(method, path, opts);
    return raw(method, out.path, { ...out.headers, ...opts.unsignedHeaders }, opts.body);
  }

  const put = (key: string, body: string, contentType = 'text/plain') =>
    client().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: contentType }));
  /** The object's content, or undefined when there is none. */
  const read = async (key: string) => {
    try {
      return await (await client().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  };

  /** What the server's directory holds beside the store (nothing, unless a write escaped it). */
  const outsideStore = () => readdirSync(root).filter((n) => n !== 'store');
  /** What the store holds beside the bucket (nothing, unless a write escaped the bucket). */
  const outsideBucket = () => readdirSync(join(root, 'store')).filter((n) => n !== BUCKET);

  return { s3: () => s3, client, raw, sign, signed, put, read, outsideStore, outsideBucket };
}

/**
 * A presigned POST like the files feature's (functions/files/storage-lifecycle.ts): type, size and tag pinned, and
 * the key (a key ending in `${filename}` pins only what comes before it, as the SDK does).
 */
export async function presignedPost(client: S3Client, key: string, maxBytes: number) {
  const tagging = '<Tagging><TagSet><Tag><Key>pika-file</Key><Value>pending</Value></Tag></TagSet></Tagging>';
  return createPresignedPost(client, {
    Bucket: BUCKET,
    Key: key,
    Conditions: [
      ['eq', '$Content-Type', 'text/plain'],
      ['content-length-range', 1, maxBytes],
      ['eq', '$tagging', tagging],
    ],
    Fields: { 'Content-Type': 'text/plain', tagging },
    Expires: 300,
  });
}

/** A multipart form POST with its parts in the order given (a `Blob` part is a file part, named `upload.txt` unless given). */
export async function postForm(url: string, parts: ([string, string] | [string, Blob, string?])[]) {
  const form = new FormData();
  for (const [name, value, fileName] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, fileName ?? 'upload.txt');
  }
  const res = await fetch(url, { method: 'POST', body: form });
  const text = await res.text();
  return { status: res.status, text, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] };
}
