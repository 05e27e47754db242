/**
 * The local S3 verifies every request's SigV4 signature, as S3 does (issue 28 item 7): no anonymous read, write,
 * delete or list, under anyone's prefix; a header-signed request, a presigned link or a form is served only
 * as its holder signed it. Each refusal here was served before the fix; what the functions and browsers do
 * (the real S3 client, presigned links) still works.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, useLocalS3 } from './local-s3-harness';

const s = useLocalS3();
const VICTIM = 'files/victim/session-1/file-1';
const OBJECT = `/${BUCKET}/${VICTIM}`;

beforeAll(async () => {
  await s.put(VICTIM, 'the victim\u2019s data');
});

describe('requests without a signature', () => {
  it('are refused (403 AccessDenied): no read, write, delete, list or tagging under any prefix', async () => {
    const attempts = [
      ['GET', OBJECT],
      ['HEAD', OBJECT],
      ['PUT', OBJECT],
      ['DELETE', OBJECT],
      ['GET', `/${BUCKET}?list-type=2&prefix=files/victim/`],
      ['GET', `/${BUCKET}`],
      ['GET', '/'],
      ['GET', `${OBJECT}?tagging`],
      ['PUT', `${OBJECT}?tagging`],
      ['POST', `/${BUCKET}?delete`],
      ['PUT', `/${BUCKET}/files/attacker/s/f`],
    ] as const;
    for (const [method, path] of attempts) {
      const body = method === 'PUT' || method === 'POST' ? '<Tagging><TagSet></TagSet></Tagging>' : undefined;
      const r = await s.raw(method, path, body ? { 'content-type': 'application/xml' } : {}, body);
      expect(r.status, `${method} ${path}: ${r.text}`).toBe(403);
      if (method !== 'HEAD') expect(r.code, `${method} ${path}`).toBe('AccessDenied');
    }
    expect(await s.read(VICTIM)).toBe('the victim\u2019s data');
    expect(await s.read('files/attacker/s/f')).toBeUndefined();
  });

  it('answers a CORS preflight without one (as S3 does)', async () => {
    const r = await s.raw('OPTIONS', `/${BUCKET}`, { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBeTruthy();
  });
});

describe('header-signed requests (SigV4)', () => {
  it('are served when the signature is the local credentials\u2019: the real S3 client reads, writes, lists, tags and deletes', async () => {
    const c = s.client();
    await s.put('files/u1/s/a', 'a');
    await s.put('files/u1/s/b', 'b');
    expect((await c.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'files/u1/s/a' }))).ContentLength).toBe(1);
    expect((await c.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'files/u1/' }))).Contents?.map((o) => o.Key)).toEqual([
      'files/u1/s/a',
      'files/u1/s/b',
    ]);
    await c.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'files/u1/s/a', Tagging: { TagSet: [{ Key: 'pika-file', Value: 'attached' }] } }));
    expect((await c.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'files/u1/s/a' }))).TagSet).toEqual([{ Key: 'pika-file', Value: 'attached' }]);
    await c.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'files/u1/s/a' }, { Key: 'files/u1/s/b' }], Quiet: true } }));
    expect(await s.read('files/u1/s/a')).toBeUndefined();
    // A key with characters the client percent-encodes, signed and served the same.
    await s.put('files/u1/s/na\u00efve name (1)+~*.txt', 'x');
    expect(await s.read('files/u1/s/na\u00efve name (1)+~*.txt')).toBe('x');
  });

  it('are refused with another secret (403 SignatureDoesNotMatch) or an unknown key id (403 InvalidAccessKeyId)', async () => {
    const wrongSecret = s.client({ accessKeyId: 'local', secretAccessKey: 'not-the-secret' });
    await expect(wrongSecret.send(new GetObjectCommand({ Bucket: BUCKET, Key: VICTIM }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    const put = await s.signed('PUT', OBJECT, { body: 'overwritten', secret: 'not-the-secret' });
    expect([put.status, put.code]).toEqual([403, 'SignatureDoesNotMatch']);
    const unknown = s.client({ accessKeyId: 'someone', secretAccessKey: 'local' });
    await expect(unknown.send(new GetObjectCommand({ Bucket: BUCKET, Key: VICTIM }))).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    expect(await s.read(VICTIM)).toBe('the victim\u2019s data');
  });

  it('are refused when anything signed was changed: the path, the body, an unsigned x-amz- header added', async () => {
    // Signed for one key, sent to another.
    const signedFor = await s.signed('PUT', `/${BUCKET}/files/attacker/s/f`, { body: 'mine' });
    expect(signedFor.status).toBe(200);
    const { headers } = await s.sign('PUT', `/${BUCKET}/files/attacker/s/g`, { body: 'mine' });
    const moved = await s.raw('PUT', OBJECT, headers, 'mine');
    expect([moved.status, moved.code]).toEqual([403, 'SignatureDoesNotMatch']);
    // The body does not match its signed hash.
    const swapped = await s.raw('PUT', `/${BUCKET}/files/attacker/s/g`, headers, 'MINE');
    expect([swapped.status, swapped.code]).toEqual([400, 'XAmzContentSHA256Mismatch']);
    // An x-amz- header outside the signature.
    const extra = await s.signed('PUT', `/${BUCKET}/files/attacker/s/h`, { body: 'x', unsignedHeaders: { 'x-amz-meta-owner': 'victim' } });
    expect([extra.status, extra.code]).toEqual([403, 'AccessDenied']);
    expect(await s.read(VICTIM)).toBe('the victim\u2019s data');
  });

  it('are refused when old (403 RequestTimeTooSkewed) or signed with another auth scheme (400)', async () => {
    const old = await s.signed('GET', OBJECT, { signingDate: new Date('2020-01-01T00:00:00Z') });
    expect([old.status, old.code]).toEqual([403, 'RequestTimeTooSkewed']);
    const v2 = await s.raw('GET', OBJECT, { authorization: 'AWS local:c2lnbmF0dXJl', date: new Date().toUTCString() });
    expect(v2.status).toBe(400);
  });
});

describe('presigned links (SigV4 query)', () => {
  it('serve the signed object, with the signed response headers', async () => {
    const url = await getSignedUrl(
      s.client(),
      new GetObjectCommand({ Bucket: BUCKET, Key: VICTIM, ResponseContentDisposition: "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.txt" }),
      { expiresIn: 300 },
    );
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('the victim\u2019s data');
    expect(res.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.txt");
  });

  it('are refused for another key, a longer life, another disposition (403 SignatureDoesNotMatch) and once expired (403 AccessDenied)', async () => {
    await s.put('files/attacker/s/own', 'own');
    const url = new URL(await getSignedUrl(s.client(), new GetObjectCommand({ Bucket: BUCKET, Key: 'files/attacker/s/own' }), { expiresIn: 60 }));
    expect((await fetch(url)).status).toBe(200);
    const elsewhere = new URL(url);
    elsewhere.pathname = OBJECT;
    const longer = new URL(url);
    longer.searchParams.set('X-Amz-Expires', '604800');
    const disposition = new URL(url);
    disposition.searchParams.set('response-content-type', 'text/html');
    for (const tampered of [elsewhere, longer, disposition]) {
      const r = await s.raw('GET', `${tampered.pathname}${tampered.search}`);
      expect([r.status, r.code], tampered.toString()).toEqual([403, 'SignatureDoesNotMatch']);
    }
    const expired = await getSignedUrl(s.client(), new GetObjectCommand({ Bucket: BUCKET, Key: 'files/attacker/s/own' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    const r = await fetch(expired);
    expect([r.status, /<Code>([^<]+)/.exec(await r.text())?.[1]]).toEqual([403, 'AccessDenied']);
  });

  it('are refused with a signature in both the header and the query (400)', async () => {
    const url = new URL(await getSignedUrl(s.client(), new GetObjectCommand({ Bucket: BUCKET, Key: VICTIM }), { expiresIn: 60 }));
    const r = await s.raw('GET', `${url.pathname}${url.search}`, { authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/s3/aws4_request' });
    expect(r.status).toBe(400);
  });
});
