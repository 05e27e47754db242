/**
 * The files bucket (lib/constructs/chat-files.ts): private, TLS only, encrypted, CORS for the stage's web
 * origins, lifecycle rules for pending uploads and export documents, access logs; each function's S3 actions
 * are exactly FILES_ACCESS on `files/*` and EXPORTS_ACCESS on `exports/*`, and those are exactly what each
 * deployed bundle calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../lib/config/stages';
import { EXPORT_RETENTION_DAYS } from '../../functions/data/exports';
import { EXPORTS_ACCESS, FILES_ACCESS } from '../../lib/constructs/access-map';
import {
  ALL_FUNCTIONS as FUNCTIONS,
  deployedCodeOf,
  flat,
  functionOf,
  logicalIdOf,
  resourcesOf,
  statementsByRole,
  synthStage,
  type Synthesized,
} from './helpers';

let dev: Synthesized;
let prod: Synthesized;

beforeAll(() => {
  dev = synthStage('dev');
  prod = synthStage('prod');
}, 60_000);
afterAll(() => {
  dev?.cleanup();
  prod?.cleanup();
});

const bucketOf = (s: Synthesized) => s.json.Resources[logicalIdOf(s, s.stack.files.bucket)]!;

describe('files bucket', () => {
  it('is private, encrypted, TLS-only, logged, with CORS for the stage\u2019s origins', () => {
    for (const s of [dev, prod]) {
      const b = bucketOf(s).Properties;
      expect(b.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(b.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
      expect(flat(b.LoggingConfiguration.DestinationBucketName)).toBe(`<${logicalIdOf(s, s.stack.files.logBucket)}>`);
      const origins = stageConfig(s.stack.config.stage).corsOrigins;
      expect(b.CorsConfiguration.CorsRules).toEqual([expect.objectContaining({ AllowedOrigins: origins, AllowedMethods: ['POST', 'GET', 'HEAD'] })]);
      const policies = resourcesOf(s, 'AWS::S3::BucketPolicy').filter(([, p]) => flat(p.Properties.Bucket) === `<${logicalIdOf(s, s.stack.files.bucket)}>`);
      const denyInsecure = policies
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
        .find((st: any) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false');
      expect(denyInsecure).toBeDefined();
    }
  });

  it('expires pending uploads (tag pika-file=pending) after the stage\u2019s days, and no file by its age alone', () => {
    const rules = (s: Synthesized) => bucketOf(s).Properties.LifecycleConfiguration.Rules as any[];
    const pending = rules(dev).find((r) => r.Id === 'expire-pending-uploads');
    expect(pending).toMatchObject({ Prefix: 'files/', TagFilters: [{ Key: 'pika-file', Value: 'pending' }], ExpirationInDays: 1, Status: 'Enabled' });
    // A file lives as long as its session (moved by activity): the retention sweep deletes it, no age rule
    // (which would delete the files of a session still in use, or keep them past a shorter chat-app retention).
    // Export documents alone expire by age, under exports/ only, as their records do (TTL).
    for (const s of [dev, prod]) {
      expect(
        rules(s)
          .filter((r) => r.ExpirationInDays !== undefined)
          .map((r) => r.Id),
      ).toEqual(['expire-pending-uploads', 'expire-exports']);
      expect(rules(s).find((r) => r.Id === 'expire-exports')).toEqual({
        Id: 'expire-exports',
        Prefix: 'exports/',
        ExpirationInDays: EXPORT_RETENTION_DAYS,
        Status: 'Enabled',
      });
      expect(rules(s).find((r) => r.Id === 'abort-incomplete-multipart')).toMatchObject({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } });
    }
    const custom = synthStage('dev', { overrides: { files: { pendingUploadExpiryDays: 3 } } });
    try {
      expect(rules(custom).find((r) => r.Id === 'expire-pending-uploads').ExpirationInDays).toBe(3);
    } finally {
      custom.cleanup();
    }
  });

  it('keeps the buckets of a stage that retains data, and gives the functions the bucket name', () => {
    expect(prod.json.Resources[logicalIdOf(prod, prod.stack.files.bucket)]!.DeletionPolicy).toBe('Retain');
    expect(dev.json.Resources[logicalIdOf(dev, dev.stack.files.bucket)]!.DeletionPolicy).toBe('Delete');
    for (const [, fn] of resourcesOf(dev, 'AWS::Lambda::Function').filter(([, r]) => r.Properties.Environment?.Variables?.TABLE_NAME)) {
      expect(flat(fn.Properties.Environment.Variables.FILES_BUCKET)).toBe(`<${logicalIdOf(dev, dev.stack.files.bucket)}>`);
    }
  });
});

describe('S3 permissions', () => {
  it('each function gets exactly its FILES_ACCESS actions on files/* and its EXPORTS_ACCESS actions on exports/*, nothing else', () => {
    const bucket = `<${logicalIdOf(dev, dev.stack.files.bucket)}.Arn>`;
    for (const name of FUNCTIONS) {
      const fn = functionOf(dev, name);
      const statements = statementsByRole(dev).get(logicalIdOf(dev, fn.role!)) ?? [];
      const s3 = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('s3:')));
      const on = (prefix: string) =>
        s3
          .filter((st) => [st.Resource].flat().map(flat).join() === `${bucket}/${prefix}*`)
          .flatMap((st) => [st.Action].flat())
          .sort();
      expect(on('files/'), name).toEqual([...(FILES_ACCESS[name] ?? [])].sort());
      expect(on('exports/'), name).toEqual([...(EXPORTS_ACCESS[name] ?? [])].sort());
      // The worker's ListBucket (on the bucket, only under files/ and exports/) is ChatLifecycle's: test/cdk/lifecycle.test.ts.
      const others = s3.flatMap((st) => [st.Action].flat()).filter((a) => !(name === 'lifecycle-worker' && a === 's3:ListBucket'));
      expect(on('files/').length + on('exports/').length, `${name}: no other S3 statement`).toBe(others.length);
    }
  });

  it('FILES_ACCESS and EXPORTS_ACCESS together are what each deployed (tree-shaken) bundle calls', async () => {
    const ACTIONS: Record<string, string[]> = {
      HeadObjectCommand: ['s3:GetObject'],
      GetObjectCommand: ['s3:GetObject'],
      PutObjectTaggingCommand: ['s3:PutObjectTagging'],
      DeleteObjectsCommand: ['s3:DeleteObject'],
      // The presigned POST carries a tagging field: S3 checks PutObject and PutObjectTagging of its signer.
      createPresignedPost: ['s3:PutObject', 's3:PutObjectTagging'],
      CreateMultipartUploadCommand: ['s3:PutObject'],
      UploadPartCommand: ['s3:PutObject'],
      CompleteMultipartUploadCommand: ['s3:PutObject'],
      AbortMultipartUploadCommand: ['s3:AbortMultipartUpload'],
    };
    // The worker loads ../files/storage-lifecycle as one chunk (for its DeleteObjects): the presigned POST code
    // in it is never called there (its role has no PutObjectTagging). Its grants: test/cdk/lifecycle.test.ts.
    for (const name of FUNCTIONS.filter((f) => f !== 'lifecycle-worker')) {
      const code = await deployedCodeOf(name);
      const used = new Set(Object.entries(ACTIONS).flatMap(([call, actions]) => (new RegExp(`\\b(new )?${call}\\d*\\(`).test(code) ? actions : [])));
      expect([...used].sort(), name).toEqual([...new Set([...(FILES_ACCESS[name] ?? []), ...(EXPORTS_ACCESS[name] ?? [])])].sort());
    }
  }, 60_000);
});
