import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EXPORT_RETENTION_DAYS } from '../../functions/data/exports';
import { EXPORT_OBJECT_PREFIX, FILE_OBJECT_PREFIX } from '../../functions/data/keys';
import { FILE_STATE_TAG } from '../../functions/files/storage';
import { acknowledgeNag } from '../nag';
import { EXPORTS_ACCESS, FILES_ACCESS, type FunctionName } from './access-map';

export interface ChatFilesProps {
  /** RETAIN both buckets (production data) or DESTROY them with the stack (they must be empty then). */
  readonly retainData: boolean;
  /** Browser origins that upload with the presigned POST and read with presigned GETs (`*` allows any). */
  readonly corsOrigins: readonly string[];
  /** Uploads no message used are deleted this many days after upload (lifecycle rule on the `pending` tag). */
  readonly pendingUploadExpiryDays: number;
  readonly logRetentionDays: number;
}

/**
 * The bucket of files attached to messages: private (public access blocked, TLS only, SSE-S3, owner-enforced
 * objects), CORS for the web origins' uploads, lifecycle rules (pending uploads expire; incomplete multipart
 * uploads are aborted), server access logs to a log bucket. A session's files expire with the session: the
 * retention sweep deletes them (lib/constructs/chat-retention.ts), not an age rule that would not know its activity.
 * Functions get only the S3 actions of lib/constructs/access-map.ts FILES_ACCESS, on `files/*`. Exports of users'
 * data live under `exports/` of the same bucket (same encryption and access blocks): expired by age after
 * EXPORT_RETENTION_DAYS, the functions' actions there are EXPORTS_ACCESS.
 */
export class ChatFiles extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ChatFilesProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const common = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    };
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      // Server access log delivery needs the bucket-owner-preferred ownership or enforced with a policy: CDK adds the policy.
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(Math.max(1, props.logRetentionDays)) }],
    });
    acknowledgeNag(
      this.logBucket,
      'AwsSolutions-S1',
      'This is the server access log bucket of the files bucket: logging it into itself (or another log bucket) adds nothing.',
    );
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...common,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'files-bucket/',
      cors: [
        {
          allowedOrigins: [...props.corsOrigins],
          allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag', 'Location'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        {
          id: 'expire-pending-uploads',
          prefix: FILE_OBJECT_PREFIX,
          tagFilters: { [FILE_STATE_TAG]: 'pending' },
          expiration: Duration.days(props.pendingUploadExpiryDays),
        },
        // Exports of a user's data (issue 27 item 2): the document lives as long as its record (TTL), then goes.
        { id: 'expire-exports', prefix: EXPORT_OBJECT_PREFIX, expiration: Duration.days(EXPORT_RETENTION_DAYS) },
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }

  /** The function's S3 actions: FILES_ACCESS on the uploaded objects only, EXPORTS_ACCESS on the export documents only. */
  grant(name: FunctionName, fn: IFunction): void {
    const bucketId = Stack.of(this).resolve((this.bucket.node.defaultChild as s3.CfnBucket).logicalId) as string;
    const prefixes = [
      [FILES_ACCESS[name], FILE_OBJECT_PREFIX, 'Uploaded files have generated keys under files/<user>/<session>/<file>'],
      [EXPORTS_ACCESS[name], EXPORT_OBJECT_PREFIX, 'Export documents have generated keys under exports/<user>/<export>'],
    ] as const;
    for (const [actions, prefix, keys] of prefixes) {
      if (!actions?.length) continue;
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...actions], resources: [this.bucket.arnForObjects(`${prefix}*`)] }));
      acknowledgeNag(
        fn,
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        `${keys}: the function acts on objects it cannot name in advance, only under that prefix of the one files bucket.`,
      );
    }
  }
}
