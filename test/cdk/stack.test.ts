// Resources, encryption, logging and function settings of the synthesized stack (synthesized once, with cdk-nag).
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { ALL_FUNCTIONS, describeFunctions } from '../../lib/function-catalogue';
import { logicalIdOf, logicalIdsOfType, resolveIntrinsics, synthesizeRadiomics } from './synth';

const synthesized = synthesizeRadiomics();
const { stack, template, templateJson } = synthesized;
const keyId = logicalIdOf(stack, stack.storage.key);
const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };

function functionResource(name: (typeof ALL_FUNCTIONS)[number]) {
  return templateJson.Resources[logicalIdOf(stack, stack.functions.get(name))]!;
}

describe('storage', () => {
  it('customer-managed key rotates', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const logicalId of logicalIdsOfType(templateJson, 'AWS::KMS::Key')) {
      expect(templateJson.Resources[logicalId]!.Properties!.EnableKeyRotation, logicalId).toBe(true);
    }
  });

  it('uploads bucket is KMS-encrypted, private, versioned, logged, on EventBridge', () => {
    const bucket = templateJson.Resources[logicalIdOf(stack, stack.storage.uploadsBucket)]!.Properties!;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: keyArn,
    });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logicalIdOf(stack, stack.storage.accessLogsBucket) });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
  });

  it('every bucket denies requests without TLS', () => {
    const bucketIds = logicalIdsOfType(templateJson, 'AWS::S3::Bucket');
    const policies = logicalIdsOfType(templateJson, 'AWS::S3::BucketPolicy').map((id) => templateJson.Resources[id]!.Properties!);
    for (const bucketId of bucketIds) {
      const policy = policies.find((candidate) => JSON.stringify(candidate.Bucket) === JSON.stringify({ Ref: bucketId }));
      expect(policy, `bucket policy of ${bucketId}`).toBeDefined();
      const denyInsecure = policy!.PolicyDocument.Statement.find(
        (statement: any) => statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
      expect(denyInsecure, `TLS-only statement of ${bucketId}`).toBeDefined();
    }
  });

  it('uploads bucket rejects other encryption keys', () => {
    const bucketRef = { Ref: logicalIdOf(stack, stack.storage.uploadsBucket) };
    const policy = logicalIdsOfType(templateJson, 'AWS::S3::BucketPolicy')
      .map((id) => templateJson.Resources[id]!.Properties!)
      .find((candidate) => JSON.stringify(candidate.Bucket) === JSON.stringify(bucketRef))!;
    const statements = policy.PolicyDocument.Statement as any[];
    const otherKeys = statements.find((statement) => statement.Sid === 'DenyOtherServerSideEncryption');
    expect(otherKeys.Effect).toBe('Deny');
    expect(otherKeys.Action).toBe('s3:PutObject');
    expect(otherKeys.Condition.StringNotEqualsIfExists).toEqual({
      's3:x-amz-server-side-encryption': 'aws:kms',
      's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn,
    });
    const customerKeys = statements.find((statement) => statement.Sid === 'DenyCustomerProvidedKeys');
    expect(customerKeys.Condition).toEqual({ Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } });
  });

  it('every bucket blocks public access and is encrypted', () => {
    for (const bucketId of logicalIdsOfType(templateJson, 'AWS::S3::Bucket')) {
      const bucket = templateJson.Resources[bucketId]!.Properties!;
      expect(bucket.PublicAccessBlockConfiguration?.BlockPublicPolicy, bucketId).toBe(true);
      expect(bucket.BucketEncryption, bucketId).toBeDefined();
    }
  });

  it('table has pk/sk, gsi1, gsi2, on-demand, PITR, CMK', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'gsi2',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('topic uses the CMK and denies publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('dead-letter queues use the CMK and TLS', () => {
    const queues = logicalIdsOfType(templateJson, 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThanOrEqual(2);
    for (const queueId of queues) {
      expect(templateJson.Resources[queueId]!.Properties!.KmsMasterKeyId, queueId).toEqual(keyArn);
    }
  });

  it('every log group is KMS-encrypted with a retention', () => {
    const logGroups = logicalIdsOfType(templateJson, 'AWS::Logs::LogGroup');
    // 13 functions, 2 state machines, 1 API stage.
    expect(logGroups.length).toBe(ALL_FUNCTIONS.length + 3);
    for (const logGroupId of logGroups) {
      const properties = templateJson.Resources[logGroupId]!.Properties!;
      expect(properties.KmsKeyId, logGroupId).toEqual(keyArn);
      expect(properties.RetentionInDays, logGroupId).toBeGreaterThan(0);
    }
  });
});

describe('functions', () => {
  const layerId = logicalIdOf(stack, stack.node.findChild('CoreLayer').node.findChild('Layer'));

  it('one function per folder, Node.js 22 on arm64, traced, with the core layer', () => {
    const functionIds = logicalIdsOfType(templateJson, 'AWS::Lambda::Function').filter((id) => id.startsWith('Functions'));
    expect(functionIds).toHaveLength(ALL_FUNCTIONS.length);
    for (const name of ALL_FUNCTIONS) {
      const properties = functionResource(name).Properties!;
      expect(properties.Runtime, name).toBe('nodejs22.x');
      expect(properties.Architectures, name).toEqual(['arm64']);
      expect(properties.TracingConfig, name).toEqual({ Mode: 'Active' });
      expect(properties.Layers, name).toEqual([{ Ref: layerId }]);
      expect(properties.Handler, name).toBe('index.handler');
    }
  });

  it('memory and timeout follow the catalogue', () => {
    for (const description of describeFunctions()) {
      const properties = functionResource(description.name).Properties!;
      expect(properties.MemorySize, description.name).toBe(description.memorySize);
      expect(properties.Timeout, description.name).toBe(description.timeoutSeconds);
    }
  });

  it('environment carries the contract variables', () => {
    for (const name of ALL_FUNCTIONS) {
      const variables = resolveIntrinsics(functionResource(name).Properties!.Environment.Variables);
      expect(Object.keys(variables), name).toEqual(
        expect.arrayContaining(['BUCKET_NAME', 'TABLE_NAME', 'TOPIC_ARN', 'MAX_VOXELS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE']),
      );
      expect(variables.POWERTOOLS_METRICS_NAMESPACE, name).toBe('Radiomics');
      expect(variables.POWERTOOLS_SERVICE_NAME, name).toBe(`radiomics-${name}`);
      expect(variables.POWERTOOLS_LOGGER_LOG_EVENT, name).toBe('false');
      expect(variables.PARAMS_DIR, name).toBe('/opt/params');
      expect(variables.MODELS_DIR, name).toBe('/opt/models');
    }
    const studyArn = `arn:resolved:${logicalIdOf(stack, stack.studyWorkflow.stateMachine)}`;
    const startStudy = functionResource('start-study').Properties!.Environment.Variables;
    expect(startStudy.STATE_MACHINE_ARN).toEqual({ Ref: logicalIdOf(stack, stack.studyWorkflow.stateMachine) });
    expect(studyArn).toContain('StudyWorkflow');
    const publishModel = functionResource('publish-model').Properties!.Environment.Variables;
    expect(publishModel.RESCORE_STATE_MACHINE_ARN).toEqual({ Ref: logicalIdOf(stack, stack.rescoring.stateMachine) });
  });

  it('each function logs to its own encrypted log group', () => {
    for (const name of ALL_FUNCTIONS) {
      const loggingConfig = functionResource(name).Properties!.LoggingConfig;
      expect(loggingConfig.LogGroup, name).toEqual({ Ref: expect.stringContaining('Logs') });
    }
  });

  it('no function role uses an AWS managed policy', () => {
    for (const name of ALL_FUNCTIONS) {
      const roleRef = functionResource(name).Properties!.Role['Fn::GetAtt'][0] as string;
      expect(templateJson.Resources[roleRef]!.Properties!.ManagedPolicyArns, name).toBeUndefined();
    }
  });
});

describe('upload trigger', () => {
  it('starts the workflow for zip archives and manifests under incoming/', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [{ Ref: logicalIdOf(stack, stack.storage.uploadsBucket) }] },
          object: { key: [{ wildcard: 'incoming/*.zip' }, { wildcard: 'incoming/*/manifest.json' }] },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions.get('start-study')), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.uploadTrigger.deadLetterQueue), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
        }),
      ],
    });
  });

  it('model uploads under models/ reach publish-model', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ object: { key: [{ wildcard: 'models/*.json' }] } }) }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions.get('publish-model')), 'Arn'] } })],
    });
  });

  it('nightly schedule starts the re-scoring state machine', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      Targets: [Match.objectLike({ Arn: { Ref: logicalIdOf(stack, stack.rescoring.stateMachine) } })],
    });
  });
});

describe('dashboard', () => {
  it('user pool: no self sign-up, strong passwords, MFA on, Plus plan, custom:siteId', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      MfaConfiguration: 'ON',
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'siteId', AttributeDataType: 'String', Mutable: true })]),
    });
  });

  it('groups coordinator and site-user exist', () => {
    const groups = logicalIdsOfType(templateJson, 'AWS::Cognito::UserPoolGroup').map(
      (id) => templateJson.Resources[id]!.Properties!.GroupName,
    );
    expect(groups.sort()).toEqual(['coordinator', 'site-user']);
  });

  it('app client reads but cannot write custom:siteId', () => {
    const client = templateJson.Resources[logicalIdOf(stack, stack.dashboard.userPoolClient)]!.Properties!;
    expect(client.ReadAttributes).toContain('custom:siteId');
    expect(client.WriteAttributes).toEqual(['name']);
    expect(client.GenerateSecret).toBe(false);
  });

  it('API routes GET /api/{proxy+} through a JWT authorizer', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: logicalIdOf(stack, stack.dashboard.userPoolClient) }] },
    });
    const routes = logicalIdsOfType(templateJson, 'AWS::ApiGatewayV2::Route').map((id) => templateJson.Resources[id]!.Properties!);
    expect(routes).toHaveLength(1);
    expect(routes[0]!.RouteKey).toBe('GET /api/{proxy+}');
    expect(routes[0]!.AuthorizationType).toBe('JWT');
  });

  it('API stage writes access logs and is throttled', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('CloudFront: OAC, HTTPS, security headers, logging, /api/* to the API', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const distribution = templateJson.Resources[logicalIdOf(stack, stack.dashboard.distribution)]!.Properties!.DistributionConfig;
    expect(distribution.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(distribution.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeDefined();
    expect(distribution.Logging.Bucket).toBeDefined();
    expect(distribution.CacheBehaviors.map((behavior: any) => behavior.PathPattern)).toEqual(['/api/*']);
    expect(distribution.CacheBehaviors[0].ViewerProtocolPolicy).toBe('https-only');
    const policyId = logicalIdsOfType(templateJson, 'AWS::CloudFront::ResponseHeadersPolicy')[0]!;
    const headers = resolveIntrinsics(templateJson.Resources[policyId]!.Properties!.ResponseHeadersPolicyConfig.SecurityHeadersConfig);
    expect(headers.StrictTransportSecurity.AccessControlMaxAgeSec).toBe(31536000);
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ContentSecurityPolicy.ContentSecurityPolicy).toContain("default-src 'self'");
    expect(headers.ContentSecurityPolicy.ContentSecurityPolicy).toContain("frame-ancestors 'none'");
  });

  it('web assets deployed only when web/dist exists', () => {
    const deployments = logicalIdsOfType(templateJson, 'Custom::CDKBucketDeployment');
    expect(deployments.length).toBe(stack.dashboard.webAssetsDeployed ? 1 : 0);
  });
});
