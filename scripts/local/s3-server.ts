/**
 * A local S3 on loopback for `npm start` and the tests: s3rver (the S3 REST API over a directory) behind a
 * small front that does what s3rver leaves out and the files feature relies on — browser POST uploads
 * checked as S3 checks them: the policy's SigV4 signature, its expiration and every condition (bucket, key,
 * Content-Type, content-length-range, other form fields) — and object tags (the POST's `tagging` field,
 * PutObjectTagging, GetObjectTagging), kept in memory, which the bucket's lifecycle rules read in AWS. Everything
 * else is passed through unchanged (s3rver verifies SigV4 headers and presigned query strings itself; the tagging
 * calls are answered without checking their signature). The functions reach it through the real
 * `@aws-sdk/client-s3` (S3_ENDPOINT, path-style). docs/deploy.md, *Files locally*.
 */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { LOCAL_CREDENTIALS } from './dynamodb-local';

/** s3rver verifies signatures against its own key registry: the local credentials are registered there. */
const s3rverAccounts = createRequire(import.meta.url)('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  port: number;
  /** The tags of an object (POST `tagging` field, PutObjectTagging). */
  tags(key: string): Record<string, string>;
  stop(): Promise<void>;
}

export interface LocalS3Options {
  bucket: string;
  /** Keep objects here (created); a temporary directory removed on stop without. */
  directory?: string;
  port?: number;
  /** Browser origins allowed to POST uploads (the bucket's CORS rule). */
  corsOrigins?: string[];
}

/** Uploads larger than this are refused before the policy is read (the files feature allows far less). */
const MAX_POST_BYTES = 64 * 1024 * 1024;

const xmlError = (res: ServerResponse, status: number, code: string, message: string) => {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/[<>&]/g, '')}</Message></Error>`);
};

class PolicyError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 403,
  ) {
    super(message);
  }
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** SigV4 signing key of a POST policy's credential scope (`<key id>/<date>/<region>/s3/aws4_request`). */
function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** Checks a POST upload's policy and conditions (`fields`: lower-case names); throws a PolicyError as S3 would. */
export function checkPostPolicy(bucket: string, fields: Map<string, string>, fileSize: number, secrets: Map<string, string>, nowMs = Date.now()): void {
  const policyText = fields.get('policy');
  if (!policyText) throw new PolicyError('AccessDenied', 'Bucket POST must contain a policy (this server accepts signed uploads only)');
  if (fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') throw new PolicyError('InvalidArgument', 'x-amz-algorithm must be AWS4-HMAC-SHA256', 400);
  const [keyId, date, region, service] = (fields.get('x-amz-credential') ?? '').split('/');
  const secret = keyId ? secrets.get(keyId) : undefined;
  if (!secret || !date || !region || !service) throw new PolicyError('InvalidAccessKeyId', 'The AWS access key id of the credential is unknown');
  const expected = createHmac('sha256', signingKey(secret, date, region, service))
    .update(policyText, 'utf8')
    .digest('hex');
  if (expected !== fields.get('x-amz-signature')) throw new PolicyError('SignatureDoesNotMatch', 'The policy signature does not match');
  let policy: { expiration?: string; conditions?: unknown[] };
  try {
    policy = JSON.parse(Buffer.from(policyText, 'base64').toString('utf8'));
  } catch {
    throw new PolicyError('InvalidPolicyDocument', 'The policy is not base64 JSON', 400);
  }
  if (!policy.expiration || !(Date.parse(policy.expiration) > nowMs)) throw new PolicyError('AccessDenied', 'Invalid according to Policy: Policy expired.');
  const values = new Map(fields);
  values.set('bucket', bucket);
  const covered = new Set(['policy', 'x-amz-signature', 'file']);
  for (const c of policy.conditions ?? []) {
    if (Array.isArray(c) && c[0] === 'content-length-range') {
      const [, min, max] = c as [string, number, number];
      if (fileSize > max) throw new PolicyError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400);
      if (fileSize < min) throw new PolicyError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400);
      continue;
    }
    const [op, rawName, expectedValue] = Array.isArray(c) ? (c as string[]) : ['eq', `$${Object.keys(c as object)[0]}`, String(Object.values(c as object)[0])];
    const name = String(rawName).replace(/^\$/, '').toLowerCase();
    covered.add(name);
    const actual = values.get(name) ?? '';
    const ok = op === 'eq' ? actual === expectedValue : op === 'starts-with' ? actual.startsWith(String(expectedValue)) : false;
    if (!ok) throw new PolicyError('AccessDenied', `Invalid according to Policy: Policy Condition failed: ["${op}", "$${name}", "${expectedValue}"]`);
  }
  // S3: every form field but the exempt ones must be covered by a condition.
  for (const name of values.keys()) {
    if (!covered.has(name) && !name.startsWith('x-ignore-') && name !== 'bucket') {
      throw new PolicyError('AccessDenied', `Invalid according to Policy: Extra input fields: ${name}`);
    }
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `<Tag><Key>k</Key><Value>v</Value></Tag>`… of a Tagging document. */
function parseTagging(xml: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const m of xml.matchAll(/<Tag>\s*<Key>([^<]*)<\/Key>\s*<Value>([^<]*)<\/Value>\s*<\/Tag>/g)) tags[m[1]!] = m[2]!;
  return tags;
}

function exists(target: { port: number }, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: target.port, method: 'HEAD', path }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

function forward(target: { port: number }, req: IncomingMessage, res: ServerResponse, body?: Buffer): void {
  const headers = { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  if (body) delete headers['transfer-encoding'];
  const out = http.request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', (err) => xmlError(res, 502, 'InternalError', String(err)));
  if (body) out.end(body);
  else req.pipe(out);
}

export async function startLocalS3(opts: LocalS3Options): Promise<LocalS3> {
  const directory = opts.directory ?? mkdtempSync(join(tmpdir(), 'pika-s3-'));
  const secrets = new Map([[LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey]]);
  s3rverAccounts.DUMMY_ACCOUNT.createKeyPair(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey);
  const origins = opts.corsOrigins?.length ? opts.corsOrigins : ['*'];
  const cors = `<CORSConfiguration>${origins.map((o) => `<CORSRule><AllowedOrigin>${o}</AllowedOrigin><AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader></CORSRule>`).join('')}</CORSConfiguration>`;
  const backend = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: opts.bucket, configs: [cors] }] });
  const backendAddress = (await backend.run()) as unknown as AddressInfo;
  const target = { port: backendAddress.port };

  const tags = new Map<string, Record<string, string>>();
  const objectKey = (path: string) => decodeURIComponent(path.split('/').slice(2).join('/'));

  async function tagging(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (!(await exists(target, path))) return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    if (req.method === 'PUT') {
      const body = await readBody(req, 64 * 1024);
      tags.set(objectKey(path), parseTagging(body?.toString('utf8') ?? ''));
      res.writeHead(200);
      return void res.end();
    }
    const set = Object.entries(tags.get(objectKey(path)) ?? {})
      .map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`)
      .join('');
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Tagging><TagSet>${set}</TagSet></Tagging>`);
  }

  const front = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    if (query.has('tagging') && (req.method === 'PUT' || req.method === 'GET') && /^\/[^/]+\/.+/.test(path)) {
      return void tagging(req, res, path).catch((err) => xmlError(res, 500, 'InternalError', String(err)));
    }
    const isPostUpload = req.method === 'POST' && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '') && /^\/[^/]+\/?$/.test(path);
    if (!isPostUpload) return forward(target, req, res);
    void (async () => {
      const body = await readBody(req, MAX_POST_BYTES);
      if (!body) return xmlError(res, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
      let form: FormData;
      try {
        form = await new Request('http://local/', { method: 'POST', headers: { 'content-type': req.headers['content-type']! }, body }).formData();
      } catch {
        return xmlError(res, 400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
      }
      const fields = new Map<string, string>();
      let fileSize = -1;
      for (const [name, value] of form) {
        if (name === 'file') fileSize = typeof value === 'string' ? Buffer.byteLength(value) : value.size;
        else if (typeof value === 'string') fields.set(name.toLowerCase(), value); // S3 field names are case-insensitive
      }
      if (fileSize < 0) return xmlError(res, 400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
      try {
        checkPostPolicy(path.replace(/^\/|\/$/g, ''), fields, fileSize, secrets);
      } catch (err) {
        if (err instanceof PolicyError) return xmlError(res, err.status, err.code, err.message);
        throw err;
      }
      tags.set(fields.get('key') ?? '', parseTagging(fields.get('tagging') ?? ''));
      forward(target, req, res, body);
    })().catch((err) => xmlError(res, 500, 'InternalError', String(err)));
  });
  await new Promise<void>((resolve) => front.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (front.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: opts.bucket,
    port,
    tags: (key) => ({ ...tags.get(key) }),
    async stop() {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await backend.close();
      if (!opts.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}
