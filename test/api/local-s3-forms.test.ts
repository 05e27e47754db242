/**
 * The local S3 reads a browser POST form as S3 does and keeps every key inside its bucket (issue 28 item 7):
 * the first file part ends the fields (fields after it, a second file, a field twice are refused), the
 * policy is checked on what is stored, and a key that would leave the bucket (`../`, percent-encoded or not,
 * through `${filename}`, backslashes, control characters) is refused whatever signed it. Each refusal here
 * was served before the fix.
 */
import { CopyObjectCommand, DeleteObjectsCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { FILENAME_VARIABLE } from '../../scripts/local/s3-post-form';
import { BUCKET, postForm, presignedPost, useLocalS3 } from './local-s3-harness';

const s = useLocalS3();
const VICTIM = 'files/victim/session-1/file-1';
const MINE = 'files/attacker/session-2/file-2';
const text = (content: string) => new Blob([content], { type: 'text/plain' });

beforeAll(async () => {
  await s.put(VICTIM, 'the victim\u2019s data');
});

/** The fields of a presigned POST for `key` of at most `max` bytes, as [name, value] parts. */
async function fieldsFor(key: string, max = 5): Promise<{ url: string; parts: [string, string][] }> {
  const { url, fields } = await presignedPost(s.client(), key, max);
  return { url, parts: Object.entries(fields) };
}

describe('POST forms', () => {
  it('store the one file of a form signed for its key, type and size (204), tagged as the form says', async () => {
    const { url, parts } = await fieldsFor(MINE);
    const r = await postForm(url, [...parts, ['file', text('hello')]]);
    expect(r.status, r.text).toBe(204);
    expect(await s.read(MINE)).toBe('hello');
    expect(s.s3().tags(MINE)).toEqual({ 'pika-file': 'pending' });
    expect((await s.client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: MINE }))).ContentType).toBe('text/plain');
  });

  it('refuse a field after the file (400): the key before it cannot be another user\u2019s', async () => {
    const { url, parts } = await fieldsFor(MINE);
    const before = parts.filter(([n]) => n !== 'key');
    const r = await postForm(url, [['key', VICTIM], ...before, ['file', text('evil!')], ['key', MINE]]);
    expect([r.status, r.code], r.text).toEqual([400, 'InvalidArgument']);
    const harmless = await postForm(url, [...parts, ['file', text('hello')], ['x-ignore-note', 'after']]);
    expect([harmless.status, harmless.code], harmless.text).toEqual([400, 'InvalidArgument']);
    expect(await s.read(VICTIM)).toBe('the victim\u2019s data');
  });

  it('refuse a field given twice, in any case (400): one key, the one the policy names', async () => {
    const { url, parts } = await fieldsFor(MINE);
    for (const dup of ['key', 'Key', 'KEY']) {
      const r = await postForm(url, [[dup, VICTIM], ...parts, ['file', text('evil!')]]);
      expect([r.status, r.code], `${dup}: ${r.text}`).toEqual([400, 'InvalidArgument']);
    }
    expect(await s.read(VICTIM)).toBe('the victim\u2019s data');
  });

  it('refuse two files, or a file under another name (400): the size checked is the size stored', async () => {
    const key = 'files/attacker/session-2/two-files';
    const { url, parts } = await fieldsFor(key);
    const big = text('x'.repeat(100_000));
    const two = await postForm(url, [...parts, ['file', big], ['file', text('small')]]);
    expect([two.status, two.code], two.text).toEqual([400, 'InvalidArgument']);
    const other = await postForm(url, [...parts, ['attachment', big], ['file', text('small')]]);
    expect([other.status, other.code], other.text).toEqual([400, 'InvalidArgument']);
    expect(await s.read(key)).toBeUndefined();
    const tooBig = await postForm(url, [...parts, ['file', big]]);
    expect([tooBig.status, tooBig.code]).toEqual([400, 'EntityTooLarge']);
    expect(await s.read(key)).toBeUndefined();
  });

  it('refuse a form without its file or without a key (400), or with the policy of another bucket (403)', async () => {
    const { url, parts } = await fieldsFor(MINE);
    expect((await postForm(url, parts)).status).toBe(400);
    const noKey = await postForm(url, [...parts.filter(([n]) => n !== 'key'), ['file', text('hello')]]);
    expect(noKey.status).toBe(400);
    const elsewhere = await postForm(url.replace(BUCKET, `${BUCKET}-other`), [...parts, ['file', text('hello')]]);
    expect(elsewhere.status).toBeGreaterThanOrEqual(400);
  });
});

describe('keys that would leave the bucket', () => {
  it(`are refused in a form whose policy allows a prefix: "../" in the key, or in the file name S3 puts for ${FILENAME_VARIABLE}`, async () => {
    const { url, parts } = await fieldsFor(`files/attacker/${FILENAME_VARIABLE}`, 100);
    const withKey = (key: string) => parts.map(([n, v]) => (n === 'key' ? ['key', key] : [n, v]) as [string, string]);
    const dotted = await postForm(url, [...withKey('files/attacker/../../../../escaped.txt'), ['file', text('evil!')]]);
    expect([dotted.status, dotted.code], dotted.text).toEqual([400, 'InvalidArgument']);
    const named = await postForm(url, [...parts, ['file', text('evil!'), '../../../../escaped.txt']]);
    expect([named.status, named.code], named.text).toEqual([400, 'InvalidArgument']);
    const backslash = await postForm(url, [...withKey('files/attacker/..\\..\\escaped.txt'), ['file', text('evil!')]]);
    expect([backslash.status, backslash.code], backslash.text).toEqual([400, 'InvalidArgument']);
    // The variable is the file's name, as in S3.
    const ok = await postForm(url, [...parts, ['file', text('fine'), 'notes.txt']]);
    expect(ok.status, ok.text).toBe(204);
    expect(await s.read('files/attacker/notes.txt')).toBe('fine');
    expect([s.outsideStore(), s.outsideBucket()]).toEqual([[], []]);
  });

  it('are refused in a signed request: percent-encoded `../`, dot segments, backslashes, control characters (400)', async () => {
    for (const path of [
      `/${BUCKET}/..%2F..%2Fescaped.txt`,
      `/${BUCKET}/files/..%2F..%2F..%2Fescaped.txt`,
      `/${BUCKET}/files/%2e%2e/%2e%2e/%2e%2e/escaped.txt`,
      `/${BUCKET}/files/.%2Fx`,
      `/${BUCKET}/files%5C..%5C..%5Cescaped.txt`,
      `/${BUCKET}/files/a%00b`,
      `/${BUCKET}/files/a%0Ab`,
    ]) {
      const r = await s.signed('PUT', path, { body: 'evil!' });
      expect([r.status, r.code], `${path}: ${r.text}`).toEqual([400, 'InvalidArgument']);
    }
    expect([s.outsideStore(), s.outsideBucket()]).toEqual([[], []]);
  });

  it('are refused as a bucket name, a copy source or a key to delete', async () => {
    const bucket = await s.signed('PUT', '/..%2Fescaped/x', { body: 'evil!' });
    expect(bucket.status).toBe(400);
    await expect(
      s.client().send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'files/attacker/copy', CopySource: `${BUCKET}/files/../../../etc/hostname` })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    await expect(s.client().send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'files/../../store-file' }] } }))).rejects.toMatchObject(
      { $metadata: { httpStatusCode: 400 } },
    );
    // XML character references are read as characters before the key is checked.
    const body = '<Delete><Object><Key>files/&#46;&#46;/&#x2e;&#x2e;/store-file</Key></Object></Delete>';
    const referenced = await s.signed('POST', `/${BUCKET}`, { query: { delete: '' }, body, headers: { 'content-type': 'application/xml' } });
    expect([referenced.status, referenced.code], referenced.text).toEqual([400, 'InvalidArgument']);
    expect([s.outsideStore(), s.outsideBucket()]).toEqual([[], []]);
  });
});
