import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { KEY_PREFIXES } from './storage';

/** Site ids follow the manifest's id rule, so a site's prefix is exactly the one its manifests name. */
export const SITE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface SiteUploadRolesProps {
  /** Ids of the sites that upload studies; one role each. */
  readonly siteIds: readonly string[];

  /** Uploads bucket (SSE-KMS with an S3 Bucket Key). */
  readonly bucket: s3.IBucket;

  /** Key of the uploads bucket. */
  readonly key: kms.IKey;

  /**
   * Principal allowed to assume a site's role.
   * @default this account, so the account's IAM administrators decide who may act for each site
   */
  readonly principalForSite?: (siteId: string) => iam.IPrincipal;

  /**
   * Allow multipart uploads (`aws s3 cp` switches to them above 8 MB). Completing a multipart upload of an
   * SSE-KMS object needs kms:Decrypt; it is granted only through S3 and only for this bucket's encryption
   * context, and the role still has no s3:GetObject, so it reads nothing.
   * @default true
   */
  readonly allowMultipartUploads?: boolean;
}

/**
 * One IAM role per site that can only write objects under `incoming/<siteId>/` of the uploads bucket and use the
 * bucket's key through S3 for that. Explicit denies keep it that way even if a broader policy is attached
 * later: every other S3 action on the bucket, and any s3:PutObject outside the site's prefix, are denied.
 */
export class SiteUploadRoles extends Construct {
  private readonly rolesBySite = new Map<string, iam.Role>();

  constructor(scope: Construct, id: string, props: SiteUploadRolesProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const allowMultipartUploads = props.allowMultipartUploads ?? true;

    const seen = new Set<string>();
    for (const siteId of props.siteIds) {
      if (!SITE_ID_PATTERN.test(siteId)) {
        throw new Error(
          `Invalid site id "${siteId}": use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit.`,
        );
      }
      if (seen.has(siteId.toLowerCase())) {
        throw new Error(`Site id "${siteId}" is listed twice (site ids are compared case-insensitively).`);
      }
      seen.add(siteId.toLowerCase());
    }

    for (const siteId of props.siteIds) {
      const sitePrefixObjects = props.bucket.arnForObjects(`${KEY_PREFIXES.incoming}${siteId}/*`);
      const uploadActions = allowMultipartUploads ? ['s3:PutObject', 's3:AbortMultipartUpload'] : ['s3:PutObject'];
      const keyActions = allowMultipartUploads ? ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'] : ['kms:GenerateDataKey', 'kms:Encrypt'];

      const policy = new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ sid: 'WriteOwnIncomingPrefix', actions: uploadActions, resources: [sitePrefixObjects] }),
          new iam.PolicyStatement({
            sid: 'UseBucketKeyThroughS3',
            actions: keyActions,
            resources: [props.key.keyArn],
            conditions: {
              StringEquals: {
                'kms:ViaService': `s3.${stack.region}.amazonaws.com`,
                // With an S3 Bucket Key the encryption context is the bucket ARN.
                'kms:EncryptionContext:aws:s3:arn': props.bucket.bucketArn,
              },
            },
          }),
          new iam.PolicyStatement({
            sid: 'DenyEveryOtherBucketAction',
            effect: iam.Effect.DENY,
            notActions: uploadActions,
            resources: [props.bucket.bucketArn, props.bucket.arnForObjects('*')],
          }),
          new iam.PolicyStatement({
            sid: 'DenyWritesOutsideOwnPrefix',
            effect: iam.Effect.DENY,
            actions: uploadActions,
            notResources: [sitePrefixObjects],
          }),
        ],
      });

      const role = new iam.Role(this, `Site-${siteId}`, {
        assumedBy: props.principalForSite?.(siteId) ?? new iam.AccountPrincipal(stack.account),
        description: `Uploads studies of site ${siteId} under ${KEY_PREFIXES.incoming}${siteId}/ only`,
        inlinePolicies: { SiteUpload: policy },
      });
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.bucket.node.defaultChild as never)}.Arn>/incoming/${siteId}/*]`,
        reason: `Study uploads have ids unknown at deploy time; the wildcard is confined to site ${siteId}'s own prefix.`,
      });
      this.rolesBySite.set(siteId, role);
    }
  }

  /** The upload role of a site. */
  roleFor(siteId: string): iam.Role {
    const role = this.rolesBySite.get(siteId);
    if (!role) throw new Error(`No upload role for site "${siteId}".`);
    return role;
  }

  get siteIds(): string[] {
    return [...this.rolesBySite.keys()];
  }
}
