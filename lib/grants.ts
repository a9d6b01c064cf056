import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { nagArnReference } from './nag-acknowledgements';

// Least-privilege grants with explicit actions (no `s3:Get*` style wildcards), so the only wildcards left in a
// role are the object-key prefixes of the storage layout.

const OBJECT_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];
const OBJECT_WRITE_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload'];
const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

export type ObjectAccess = 'read' | 'write' | 'readWrite';

/** Grants object reads and/or writes under one key prefix, the listing of that prefix, and the key use that SSE-KMS needs. */
export function grantObjects(grantee: iam.IGrantable, bucket: s3.IBucket, key: kms.IKey, prefix: string, access: ObjectAccess): void {
  const actions = [
    ...(access === 'write' ? [] : OBJECT_READ_ACTIONS),
    ...(access === 'read' ? [] : OBJECT_WRITE_ACTIONS),
  ];
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${prefix}*`)] }),
  );
  Validations.of(grantee.grantPrincipal as unknown as IConstruct).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagArnReference(bucket)}/${prefix}*]`,
    reason: `Object keys under ${prefix} carry site, study and lesion ids known only at run time; the wildcard stays inside that prefix.`,
  });

  if (access !== 'write') {
    // HeadObject on a missing key returns 404 only to a caller with s3:ListBucket, and 403 otherwise, which
    // the blob store would report as a storage failure. That check carries no s3:prefix, so the permission
    // cannot be narrowed to the prefix without breaking existence checks.
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  }

  // Reading needs Decrypt; writing needs GenerateDataKey, and Decrypt again to complete multipart uploads.
  const keyActions = access === 'read' ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:GenerateDataKey'];
  grantKeyUse(grantee, key, keyActions);
}

/** Grants item reads (and writes with `write: true`) on the table and its GSIs, with the key use of a CMK table. */
export function grantTable(grantee: iam.IGrantable, table: dynamodb.ITable, key: kms.IKey, indexNames: readonly string[], write: boolean): void {
  const resources = [table.tableArn, ...indexNames.map((indexName) => `${table.tableArn}/index/${indexName}`)];
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: write ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : TABLE_READ_ACTIONS, resources }),
  );
  grantKeyUse(grantee, key, write ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] : ['kms:Decrypt', 'kms:DescribeKey']);
}

/** Grants sns:Publish on the topic and the key use of a CMK-encrypted topic. */
export function grantPublish(grantee: iam.IGrantable, topic: sns.ITopic, key: kms.IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
  grantKeyUse(grantee, key, ['kms:Decrypt', 'kms:GenerateDataKey']);
}

function grantKeyUse(grantee: iam.IGrantable, key: kms.IKey, actions: readonly string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: [key.keyArn] }));
}
