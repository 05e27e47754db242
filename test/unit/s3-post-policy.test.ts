/**
 * The local S3's POST-policy check (scripts/local/s3-post-form.ts), on policies signed by the real
 * @aws-sdk/s3-presigned-post: what S3 refuses, it refuses — expired, re-signed, tampered, extra fields, sizes.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { describe, expect, it } from 'vitest';
import { checkPostPolicy } from '../../scripts/local/s3-post-form';

const SECRETS = new Map([['local', 'local']]);
const client = new S3Client({
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  endpoint: 'http://127.0.0.1:1',
  forcePathStyle: true,
});

async function signed(expires = 60) {
  const { fields } = await createPresignedPost(client, {
    Bucket: 'b',
    Key: 'files/u/s/f',
    Conditions: [
      ['eq', '$Content-Type', 'text/plain'],
      ['content-length-range', 1, 10],
    ],
    Fields: { 'Content-Type': 'text/plain' },
    Expires: expires,
  });
  return new Map(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v]));
}

const codeOf = async (fn: () => Promise<void>) => {
  try {
    await fn();
    return 'accepted';
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe('local S3 POST policy check', () => {
  it('accepts the signed form as issued, within the size range', async () => {
    const f = await signed();
    expect(await codeOf(() => checkPostPolicy('b', f, 10, SECRETS))).toBe('accepted');
    expect(await codeOf(() => checkPostPolicy('b', f, 1, SECRETS))).toBe('accepted');
  });

  it('refuses a size outside the range, another bucket, key or type, and fields no condition covers', async () => {
    const f = await signed();
    expect(await codeOf(() => checkPostPolicy('b', f, 11, SECRETS))).toBe('EntityTooLarge');
    expect(await codeOf(() => checkPostPolicy('b', f, 0, SECRETS))).toBe('EntityTooSmall');
    expect(await codeOf(() => checkPostPolicy('other', f, 5, SECRETS))).toBe('AccessDenied');
    expect(await codeOf(() => checkPostPolicy('b', new Map([...f, ['key', 'files/u/s/other']]), 5, SECRETS))).toBe('AccessDenied');
    expect(await codeOf(() => checkPostPolicy('b', new Map([...f, ['content-type', 'text/html']]), 5, SECRETS))).toBe('AccessDenied');
    expect(await codeOf(() => checkPostPolicy('b', new Map([...f, ['acl', 'public-read']]), 5, SECRETS))).toBe('AccessDenied');
  });

  it('refuses an expired policy, a tampered one, an unknown key id and an unsigned form', async () => {
    const f = await signed(60);
    expect(await codeOf(() => checkPostPolicy('b', f, 5, SECRETS, Date.now() + 61_000))).toBe('AccessDenied');
    const policy = JSON.parse(Buffer.from(f.get('policy')!, 'base64').toString('utf8'));
    policy.conditions.push(['content-length-range', 1, 10_000]);
    expect(await codeOf(() => checkPostPolicy('b', new Map([...f, ['policy', Buffer.from(JSON.stringify(policy)).toString('base64')]]), 5, SECRETS))).toBe(
      'SignatureDoesNotMatch',
    );
    expect(await codeOf(() => checkPostPolicy('b', f, 5, new Map([['someone', 'else']])))).toBe('InvalidAccessKeyId');
    const unsigned = new Map(f);
    unsigned.delete('policy');
    expect(await codeOf(() => checkPostPolicy('b', unsigned, 5, SECRETS))).toBe('AccessDenied');
  });

  it('refuses a credential of another day, service or form, and a policy document S3 would not read', async () => {
    const f = await signed();
    const credential = f.get('x-amz-credential')!;
    const [id, day, region] = credential.split('/');
    for (const other of [`${id}/19990101/${region}/s3/aws4_request`, `${id}/${day}/${region}/iam/aws4_request`, `${id}/${day}`]) {
      expect(await codeOf(() => checkPostPolicy('b', new Map([...f, ['x-amz-credential', other]]), 5, SECRETS))).toBe('InvalidArgument');
    }
    expect(await codeOf(() => checkPostPolicy('b', new Map([...f, ['x-amz-algorithm', 'AWS4-HMAC-SHA1']]), 5, SECRETS))).toBe('InvalidArgument');
    // Signed, but not a policy S3 reads: not JSON, no conditions, a condition over two fields, a non-string value.
    const resigned = async (policyText: string) => {
      const { createHmac } = await import('node:crypto');
      const hmac = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();
      const key = hmac(hmac(hmac(hmac('AWS4local', day!), region!), 's3'), 'aws4_request');
      const policy = Buffer.from(policyText).toString('base64');
      return new Map([...f, ['policy', policy], ['x-amz-signature', createHmac('sha256', key).update(policy).digest('hex')]]);
    };
    const later = new Date(Date.now() + 60_000).toISOString();
    for (const text of [
      'not json',
      JSON.stringify({ expiration: later }),
      JSON.stringify({ expiration: later, conditions: [{ key: 'a', bucket: 'b' }] }),
      JSON.stringify({ expiration: later, conditions: [['eq', '$key', 7]] }),
    ]) {
      expect(await codeOf(async () => checkPostPolicy('b', await resigned(text), 5, SECRETS)), text).toBe('InvalidPolicyDocument');
    }
  });
});
