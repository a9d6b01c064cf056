import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** S3 key prefixes of the uploads bucket (see the storage layout in the contracts). */
export const KEY_PREFIXES = {
  incoming: 'incoming/',
  work: 'work/',
  quarantine: 'quarantine/',
  models: 'models/',
  previews: 'previews/',
  /** Lesion lists of re-scoring runs, read by the Distributed Map's ItemReader. */
  rescore: 'rescore/',
} as const;

export interface RadiomicsStorageProps {
  /**
   * Removal policy of the key, buckets, table and topic.
   * @default RemovalPolicy.RETAIN, because they hold study data and results
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Days after which intermediate objects under work/ and re-scoring item lists under rescore/ expire. Lesion
   * crops and per-image-type features can be recomputed from the upload.
   * @default 30
   */
  readonly workExpirationDays?: number;

  /**
   * Days after which a non-current object version expires (versioning keeps overwritten uploads recoverable).
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;

  /**
   * Days after which server access logs expire.
   * @default 365
   */
  readonly accessLogExpirationDays?: number;
}

/**
 * The data plane of the product with secure defaults:
 * - one customer-managed KMS key (yearly rotation) for the uploads bucket, table, topic, queues and log groups;
 * - an access-log bucket (SSE-S3, because S3 server access logging cannot deliver to SSE-KMS buckets);
 * - the uploads bucket: SSE-KMS with an S3 Bucket Key, public access blocked, TLS only, versioned, server
 *   access logs, EventBridge notifications on;
 * - the single DynamoDB table (pk/sk, gsi1, gsi2): on-demand, point-in-time recovery, CMK, deletion protection;
 * - the SNS topic for study results and re-scoring summaries: CMK, TLS-only publishing.
 */
export class RadiomicsStorage extends Construct {
  readonly key: kms.Key;
  readonly accessLogsBucket: s3.Bucket;
  readonly uploadsBucket: s3.Bucket;
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: RadiomicsStorageProps = {}) {
    super(scope, id);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'DataKey', {
      description: 'Encrypts radiomics uploads, results, notifications and logs',
      enableKeyRotation: true,
      removalPolicy,
    });

    // CloudWatch Logs encrypts log groups with the key only when the key policy allows the regional service,
    // scoped to log groups of this account and region.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
        },
      }),
    );

    // EventBridge writes undeliverable events to KMS-encrypted dead-letter queues only when the key allows it.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeDeadLetterQueues',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      // CloudFront standard logging writes with ACLs, so the bucket owner must be able to take them over.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(props.accessLogExpirationDays ?? 365) }],
      removalPolicy,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log target bucket; logging its own access would log into itself.',
    });

    this.uploadsBucket = new s3.Bucket(this, 'UploadsBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'uploads-bucket/',
      eventBridgeEnabled: true,
      lifecycleRules: [
        { id: 'ExpireWorkIntermediates', prefix: KEY_PREFIXES.work, expiration: Duration.days(props.workExpirationDays ?? 30) },
        { id: 'ExpireRescoreItemLists', prefix: KEY_PREFIXES.rescore, expiration: Duration.days(props.workExpirationDays ?? 30) },
        { id: 'ExpireNoncurrentVersions', noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays ?? 90) },
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy,
    });

    // Objects must be encrypted with the data key: a request naming another KMS key, SSE-S3 or a customer-provided
    // key would store an upload that the workflow cannot read or that escapes the key's audit trail.
    this.uploadsBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherServerSideEncryption',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.uploadsBucket.arnForObjects('*')],
        conditions: {
          StringNotEqualsIfExists: {
            's3:x-amz-server-side-encryption': 'aws:kms',
            's3:x-amz-server-side-encryption-aws-kms-key-id': this.key.keyArn,
          },
        },
      }),
    );
    this.uploadsBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyCustomerProvidedKeys',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.uploadsBucket.arnForObjects('*')],
        conditions: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
      }),
    );

    this.table = new dynamodb.Table(this, 'ResultsTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    for (const indexName of ['gsi1', 'gsi2']) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: `${indexName}pk`, type: dynamodb.AttributeType.STRING },
        sortKey: { name: `${indexName}sk`, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    this.topic = new sns.Topic(this, 'ResultsTopic', {
      displayName: 'Radiomics study results',
      masterKey: this.key,
      enforceSSL: true,
    });
  }
}
