/**
 * A local S3 on loopback for `npm start` and the tests: s3rver (the S3 REST API over a directory) behind a
 * front that makes it answer as S3 does where the files feature's safety rests on it. Every request but a
 * CORS preflight is authenticated as S3 authenticates it: SigV4 in the `Authorization` header or a presigned
 * query, recomputed with the local credentials (./s3-sigv4.ts; s3rver checks neither, and serves anonymous
 * requests), the signed payload hash compared with the body; or a browser POST form, read as S3 reads it
 * and checked against its signed policy (./s3-post-form.ts), then sent on rebuilt. Bucket names and keys
 * that could name a file outside the bucket are refused (./s3-protocol.ts). Object tags (the POST's `tagging`
 * field, PutObjectTagging, GetObjectTagging) are kept here, in memory: the bucket's lifecycle rules read them
 * in AWS. Multipart uploads are s3rver's, with what it leaves out: AbortMultipartUpload, and NoSuchUpload for a
 * part or completion of an upload that is not (or no longer) there. The functions reach it through the real
 * `@aws-sdk/client-s3` (S3_ENDPOINT, path-style).
 * docs/deploy.md, *Files locally*; docs/security.md.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { LOCAL_CREDENTIALS } from './dynamodb-local';
import { checkPostPolicy, parsePostForm, rebuiltForm, uploadKey } from './s3-post-form';
import { S3Error, checkBucketName, checkKey, parsePath, parseQuery, sendError, xmlText } from './s3-protocol';
import { payloadHashOf, verifyRequest } from './s3-sigv4';

/** s3rver answers response-header overrides (`response-content-disposition`) only to a signed request it knows the key of. */
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

/** Bodies larger than this are refused before they are read (the files feature allows far less). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.pause(); // unread: the answer closes the connection (below)
        req.removeAllListeners('data');
        resolve(undefined);
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const XML_ENTITIES = new Map(Object.entries({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }));
/** XML text as its characters (the five entities and character references; anything else left as written). */
const xmlDecode = (s: string) =>
  s.replace(/&(?:#x([0-9a-f]{1,6})|#(\d{1,7})|(\w+));/gi, (m, hex?: string, dec?: string, name?: string) => {
    const code = hex ? Number.parseInt(hex, 16) : dec ? Number(dec) : undefined;
    if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    return XML_ENTITIES.get(name!) ?? m;
  });

/** `<Tag><Key>k</Key><Value>v</Value></Tag>`… of a Tagging document. */
function parseTagging(xml: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const m of xml.matchAll(/<Tag>\s*<Key>([^<]*)<\/Key>\s*<Value>([^<]*)<\/Value>\s*<\/Tag>/g)) tags[xmlDecode(m[1]!)] = xmlDecode(m[2]!);
  return tags;
}

/** The store (s3rver) on a Unix socket in a private directory: only the front reaches it. */
interface Store {
  socketPath: string;
}

/** A request to the store, answered with its status. */
function storeRequest(store: Store, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: store.socketPath, method, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 502);
    });
    req.on('error', reject);
    req.end();
  });
}

function forward(
  store: Store,
  req: IncomingMessage,
  res: ServerResponse,
  body?: { data: Buffer; contentType?: string },
  onAnswer?: (status: number) => void,
): void {
  const headers = { ...req.headers };
  if (body) {
    headers['content-length'] = String(body.data.length);
    if (body.contentType) headers['content-type'] = body.contentType;
    delete headers['transfer-encoding'];
  }
  const out = http.request({ socketPath: store.socketPath, method: req.method, path: req.url, headers }, (answer) => {
    onAnswer?.(answer.statusCode ?? 502);
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', (err) => sendError(res, new S3Error('InternalError', String(err), 502)));
  if (body) out.end(body.data);
  else req.pipe(out);
}

/** A copy source (`x-amz-copy-source: bucket/key[?versionId=…]`), held to the same names as the request's. */
function checkCopySource(header: string | string[] | undefined): void {
  if (header === undefined) return;
  const { bucket, key } = parsePath(`/${String(header).replace(/^\//, '').split('?')[0]}`);
  if (!bucket || !key) throw new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 400);
  checkBucketName(bucket);
  checkKey(key, 'x-amz-copy-source');
}

export async function startLocalS3(opts: LocalS3Options): Promise<LocalS3> {
  const directory = opts.directory ?? mkdtempSync(join(tmpdir(), 'pika-s3-'));
  const secrets = new Map([[LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey]]);
  s3rverAccounts.DUMMY_ACCOUNT.createKeyPair(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey);
  const origins = opts.corsOrigins?.length ? opts.corsOrigins : ['*'];
  const cors = `<CORSConfiguration>${origins.map((o) => `<CORSRule><AllowedOrigin>${o}</AllowedOrigin><AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader></CORSRule>`).join('')}</CORSConfiguration>`;
  const backend = new S3rver({ silent: true, directory, configureBuckets: [{ name: opts.bucket, configs: [cors] }] });
  await backend.configureBuckets();
  const socketDir = mkdtempSync(join(tmpdir(), 'pika-s3-socket-')); // mode 0700: this user only
  const store: Store = { socketPath: join(socketDir, 's3rver.sock') };
  const koa = backend as unknown as { listen(path: string): Promise<http.Server>; httpServer: http.Server };
  koa.httpServer = await koa.listen(store.socketPath); // what run() does, on the socket; close() closes it

  /** S3 answers errors with the CORS headers of the bucket's rule, so a page can read why its upload failed. */
  const corsFor = (req: IncomingMessage): Record<string, string> => {
    const origin = req.headers.origin;
    if (!origin) return {};
    if (origins.includes('*')) return { 'access-control-allow-origin': '*' };
    return origins.includes(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
  };

  const tags = new Map<string, Record<string, string>>();

  /** Where s3rver keeps an upload's parts (its store's layout), if that upload is there. */
  const files = (backend as unknown as { store: { getResourcePath(bucket: string, key: undefined, resource: string): string } }).store;
  const uploadDir = (bucket: string, uploadId: string) =>
    /^[0-9a-f]{1,64}$/.test(uploadId) ? join(files.getResourcePath(bucket, undefined, 'uploads'), uploadId) : undefined;
  /** AbortMultipartUpload, and S3's NoSuchUpload for any use of an upload that is not there (s3rver checks neither). */
  function multipart(req: IncomingMessage, res: ServerResponse, bucket: string, uploadId: string): boolean {
    const dir = uploadDir(bucket, uploadId);
    if (!dir || !existsSync(join(dir, 'key')))
      throw new S3Error(
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        404,
      );
    if (req.method !== 'DELETE') return false;
    rmSync(dir, { recursive: true, force: true });
    res.writeHead(204);
    res.end();
    return true;
  }

  async function tagging(req: IncomingMessage, res: ServerResponse, path: string, key: string, body: Buffer | undefined): Promise<void> {
    if ((await storeRequest(store, 'HEAD', path)) !== 200) throw new S3Error('NoSuchKey', 'The specified key does not exist.', 404);
    if (req.method === 'PUT') {
      tags.set(key, parseTagging(body?.toString('utf8') ?? ''));
      res.writeHead(200);
      return void res.end();
    }
    const set = Object.entries(tags.get(key) ?? {})
      .map(([k, v]) => `<Tag><Key>${xmlText(k)}</Key><Value>${xmlText(v)}</Value></Tag>`)
      .join('');
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Tagging><TagSet>${set}</TagSet></Tagging>`);
  }

  /**
   * DeleteObjects, one key after the other: s3rver deletes a batch's keys concurrently and fails (500) when two
   * share a folder it then removes.
   */
  async function deleteObjects(res: ServerResponse, bucket: string, keys: string[], quiet: boolean): Promise<void> {
    const deleted: string[] = [];
    for (const key of keys) {
      const status = await storeRequest(store, 'DELETE', `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`);
      if (status >= 300) throw new S3Error('InternalError', `The store answered ${status} deleting ${key}`, 500);
      tags.delete(key);
      deleted.push(key);
    }
    const items = quiet ? '' : deleted.map((k) => `<Deleted><Key>${xmlText(k)}</Key></Deleted>`).join('');
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${items}</DeleteResult>`);
  }

  /** A browser form upload: authenticated by its policy, read as S3 reads it, stored as checked. */
  async function postUpload(req: IncomingMessage, res: ServerResponse, bucket: string): Promise<void> {
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body) throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400);
    const upload = await parsePostForm(body, req.headers['content-type']!);
    await checkPostPolicy(bucket, upload.fields, upload.file.data.size, secrets);
    const key = uploadKey(upload);
    const form = await rebuiltForm(upload, key);
    const uploadTags = parseTagging(upload.fields.get('tagging') ?? '');
    forward(store, req, res, { data: form.body, contentType: form.contentType }, (status) => {
      if (status < 300) tags.set(key, uploadTags);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400);
    const query = parseQuery(q < 0 ? '' : url.slice(q + 1));
    const { bucket, key } = parsePath(rawPath);
    if (bucket !== undefined) checkBucketName(bucket);
    else if (key !== undefined) throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400);
    if (key !== undefined) checkKey(key);
    // A CORS preflight carries no credentials, in S3 too: s3rver answers it from the bucket's rule.
    if (req.method === 'OPTIONS') return forward(store, req, res);
    if (req.method === 'POST' && bucket && key === undefined && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
      return postUpload(req, res, bucket);
    }
    const { payloadHash } = await verifyRequest({ method: req.method ?? 'GET', rawPath, query, headers: req.headers }, secrets);
    checkCopySource(req.headers['x-amz-copy-source']);
    if (key !== undefined && typeof query.uploadId === 'string' && multipart(req, res, bucket!, query.uploadId)) return;
    const isTagging = 'tagging' in query && key !== undefined && (req.method === 'PUT' || req.method === 'GET');
    const isDelete = req.method === 'POST' && 'delete' in query && key === undefined;
    // A new or deleted object has no tags (a PUT's x-amz-tagging is not kept here).
    const replaced = key !== undefined && !isTagging && (req.method === 'PUT' || req.method === 'DELETE');
    const dropTags = replaced ? (status: number) => void (status < 300 && tags.delete(key)) : undefined;
    // The body is read when its signed hash is to be compared, or its keys or tags read; else it streams through.
    if (payloadHash === 'UNSIGNED-PAYLOAD' && !isTagging && !isDelete) return forward(store, req, res, undefined, dropTags);
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body) throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400);
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && (await payloadHashOf(body)) !== payloadHash) {
      throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400);
    }
    if (isDelete) {
      const xml = body.toString('utf8');
      const keys = [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => checkKey(xmlDecode(m[1]!)));
      if (!keys.length || keys.length > 1000)
        throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.', 400);
      return deleteObjects(res, bucket!, keys, /<Quiet>\s*true\s*<\/Quiet>/i.test(xml));
    }
    if (isTagging) return tagging(req, res, rawPath, key, body);
    forward(store, req, res, { data: body }, dropTags);
  }

  const front = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      // A body left unread is not drained: the connection closes after the answer, as S3 does.
      const unread = !req.complete;
      if (unread) res.once('finish', () => req.socket.destroy());
      sendError(res, err instanceof S3Error ? err : new S3Error('InternalError', String(err), 500), {
        ...corsFor(req),
        ...(unread ? { connection: 'close' } : {}),
      });
    });
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
      rmSync(socketDir, { recursive: true, force: true });
      if (!opts.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}
