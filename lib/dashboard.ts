import * as fs from 'node:fs';
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { nagArnReference } from './nag-acknowledgements';
import { WEB_DIST_DIRECTORY } from './paths';

/** Cognito groups the results API maps to roles; a site user also carries `custom:siteId`. */
export const DASHBOARD_GROUPS = { coordinator: 'coordinator', siteUser: 'site-user' } as const;

/** Custom attribute with the site of a site user (the JWT claim is `custom:siteId`). */
export const SITE_ID_ATTRIBUTE = 'siteId';

export interface DashboardProps {
  /** The results API function; its routes are `GET /api/...`. */
  readonly resultsApi: lambda.IFunction;

  /** Key for the API access log group. */
  readonly logKey: kms.IKey;

  /** Bucket receiving CloudFront standard logs (ACLs enabled). */
  readonly accessLogsBucket: s3.IBucket;

  /**
   * Folder with the built web app (Vite output). Deployed only when it exists; synthesis never builds it.
   * @default web/dist of the repository
   */
  readonly webDistDirectory?: string;

  /**
   * Prefix of the Cognito managed-login domain (`<prefix>.auth.<region>.amazoncognito.com`); globally unique.
   * @default `radiomics-<account id>`
   */
  readonly authDomainPrefix?: string;

  /**
   * Custom domain of the dashboard with its ACM certificate (us-east-1). With it, viewers must use TLS 1.2 or
   * later; the default *.cloudfront.net certificate still accepts TLS 1.0 viewers.
   * @default the distribution's cloudfront.net domain
   */
  readonly customDomain?: { readonly domainName: string; readonly certificate: acm.ICertificate };

  /**
   * ARN of an AWS WAF web ACL (scope CLOUDFRONT) to attach to the distribution.
   * @default no web ACL
   */
  readonly webAclArn?: string;

  /**
   * Steady-state request rate (per second) and burst of the results API stage.
   * @default 50 requests per second, burst 100
   */
  readonly apiThrottle?: { readonly rateLimit: number; readonly burstLimit: number };

  /**
   * Retention of the API access logs.
   * @default one year
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Removal policy of the user pool, the site bucket and key, and the logs.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The coordinators' dashboard in the cloud:
 * - Cognito user pool with the groups `coordinator` and `site-user` and the attribute `custom:siteId`. It has no
 *   self sign-up, strong passwords, TOTP MFA required and the Plus feature plan with threat protection enforced.
 *   The app client cannot write `custom:siteId`, so a site user cannot move to another site;
 * - HTTP API `GET /api/{proxy+}` → results-api, behind a Cognito JWT authorizer, with access logs and throttling;
 * - static site bucket (KMS, private, TLS only) behind CloudFront with origin access control, HTTPS only,
 *   security headers, standard logs; `/api/*` on the same distribution goes to the HTTP API, so the page and the
 *   API share one origin and need no CORS.
 */
export class Dashboard extends Construct {
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly userPoolDomain: cognito.UserPoolDomain;
  readonly httpApi: apigwv2.HttpApi;
  readonly siteBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** Whether web/dist existed and was deployed to the site bucket. */
  readonly webAssetsDeployed: boolean;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Sign-in.
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      customAttributes: {
        [SITE_ID_ATTRIBUTE]: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    this.userPool.addGroup('CoordinatorGroup', {
      groupName: DASHBOARD_GROUPS.coordinator,
      description: 'Coordinators: read results of every site',
    });
    this.userPool.addGroup('SiteUserGroup', {
      groupName: DASHBOARD_GROUPS.siteUser,
      description: 'Site users: read results of the site in custom:siteId only',
    });
    this.userPoolDomain = this.userPool.addDomain('ManagedLogin', {
      cognitoDomain: { domainPrefix: props.authDomainPrefix ?? `radiomics-${Aws.ACCOUNT_ID}` },
    });

    // Static site.
    const siteKey = new kms.Key(this, 'SiteKey', {
      description: 'Encrypts the dashboard web assets',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.siteBucket = new s3.Bucket(this, 'SiteBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: siteKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      removalPolicy,
    });

    // Results API.
    this.httpApi = new apigwv2.HttpApi(this, 'ResultsHttpApi', {
      description: 'Results API of the radiomics dashboard',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logKey,
      removalPolicy,
    });
    const throttle = props.apiThrottle ?? { rateLimit: 50, burstLimit: 100 };
    new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            caller: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // Distribution (created before the app client, whose callback URL is the distribution's domain).
    const apiOrigin = new origins.HttpOrigin(`${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    // CloudFront forwards the Authorization header only when the cache key includes it. The API returns
    // cache-control: no-store, so nothing is cached anyway.
    const apiCachePolicy = new cloudfront.CachePolicy(this, 'ApiCachePolicy', {
      comment: 'Forwards the Authorization header to the results API; responses are not cached (no-store)',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    });
    const responseHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Security headers of the radiomics dashboard',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: false, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            "img-src 'self' data: blob:",
            "style-src 'self'",
            "script-src 'self'",
            `connect-src 'self' https://cognito-idp.${stack.region}.amazonaws.com https://*.auth.${stack.region}.amazoncognito.com`,
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self' https://*.amazoncognito.com",
          ].join('; '),
          override: true,
        },
      },
    });
    const spaRewrite = new cloudfront.Function(this, 'SpaRewrite', {
      comment: 'Serves index.html for dashboard routes that are not files',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        [
          'function handler(event) {',
          '  var request = event.request;',
          "  var lastSegment = request.uri.split('/').pop();",
          "  if (lastSegment.indexOf('.') === -1) { request.uri = '/index.html'; }",
          '  return request;',
          '}',
        ].join('\n'),
      ),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Radiomics dashboard',
      defaultRootObject: 'index.html',
      // The viewer TLS minimum applies only with a custom certificate; the default one is fixed at TLSv1.
      minimumProtocolVersion: props.customDomain ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      domainNames: props.customDomain ? [props.customDomain.domainName] : undefined,
      certificate: props.customDomain?.certificate,
      webAclId: props.webAclArn,
      enableLogging: true,
      logBucket: props.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: responseHeaders,
        functionAssociations: [{ function: spaRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/api/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
          cachePolicy: apiCachePolicy,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: responseHeaders,
        },
      },
    });
    const dashboardOrigin = props.customDomain
      ? `https://${props.customDomain.domainName}`
      : `https://${this.distribution.distributionDomainName}`;

    this.userPoolClient = this.userPool.addClient('DashboardClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        // The page sends its own address without query or fragment as redirect_uri.
        callbackUrls: [`${dashboardOrigin}/`, `${dashboardOrigin}/index.html`],
        logoutUrls: [`${dashboardOrigin}/`],
      },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(SITE_ID_ATTRIBUTE),
      // Users may edit their name only; custom:siteId decides what a site user can read.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    const authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, {
      userPoolClients: [this.userPoolClient],
      identitySource: ['$request.header.Authorization'],
    });
    this.httpApi.addRoutes({
      path: '/api/{proxy+}',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('ResultsApiIntegration', props.resultsApi),
      authorizer,
    });

    // Web assets, only when the web app has been built.
    const webDistDirectory = props.webDistDirectory ?? WEB_DIST_DIRECTORY;
    this.webAssetsDeployed = fs.existsSync(webDistDirectory);
    if (this.webAssetsDeployed) {
      const deployment = new s3deploy.BucketDeployment(this, 'WebAssets', {
        sources: [
          s3deploy.Source.asset(webDistDirectory),
          // Read by the page at start: `cognito` switches it from the local token prompt to managed login.
          s3deploy.Source.jsonData('config.json', {
            cognito: { domain: this.userPoolDomain.baseUrl(), clientId: this.userPoolClient.userPoolClientId },
            apiBaseUrl: '/api',
            region: stack.region,
            userPoolId: this.userPool.userPoolId,
          }),
        ],
        destinationBucket: this.siteBucket,
        distribution: this.distribution,
        distributionPaths: ['/*'],
        memoryLimit: 512,
      });
      acknowledgeBucketDeployment(deployment, this.siteBucket);
    }

    this.acknowledgeFindings(Boolean(props.customDomain), Boolean(props.webAclArn));
  }

  private acknowledgeFindings(hasCustomDomain: boolean, hasWebAcl: boolean): void {
    Validations.of(this).acknowledge({
      id: '@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac',
      reason:
        'The site key encrypts only the public web app; letting any CloudFront distribution of this account decrypt ' +
        'through S3 avoids a key-bucket-distribution cycle and exposes nothing the dashboard does not serve anyway.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Sites upload and read from hospitals worldwide; access is controlled by Cognito sign-in, not geography.',
    });
    if (!hasWebAcl) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason: 'A WAF web ACL is optional (webAclArn prop); the API requires a Cognito JWT and is throttled per stage.',
      });
    }
    if (!hasCustomDomain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: 'Without a custom domain the default cloudfront.net certificate is used, which fixes TLSv1 as minimum; pass customDomain to enforce TLS 1.2.',
      });
    }
  }
}

/**
 * Acknowledges the findings of the CDK-provided BucketDeployment handler, a stack-level singleton that copies the
 * built web app from the CDK asset bucket into the site bucket at deployment time and never runs otherwise.
 */
function acknowledgeBucketDeployment(deployment: s3deploy.BucketDeployment, siteBucket: s3.Bucket): void {
  const stack = Stack.of(deployment);
  const handler = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) return;

  const reasonPrefix = 'CDK-provided BucketDeployment handler, run only at deployment';
  const findings: [string, string][] = [
    ['AwsSolutions-L1', `${reasonPrefix}; its runtime is chosen by aws-cdk-lib.`],
    ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', `${reasonPrefix}; CDK attaches the basic execution role.`],
    ['AwsSolutions-IAM5[Resource::*]', `${reasonPrefix}; CloudFront invalidation and log delivery have no resource-level scope.`],
    ['AwsSolutions-IAM5[Action::s3:GetObject*]', `${reasonPrefix}; CDK's read grant on the asset and site buckets.`],
    ['AwsSolutions-IAM5[Action::s3:GetBucket*]', `${reasonPrefix}; CDK's read grant on the asset and site buckets.`],
    ['AwsSolutions-IAM5[Action::s3:List*]', `${reasonPrefix}; CDK's read grant on the asset and site buckets.`],
    ['AwsSolutions-IAM5[Action::s3:DeleteObject*]', `${reasonPrefix}; it prunes stale files of the site bucket.`],
    ['AwsSolutions-IAM5[Action::s3:Abort*]', `${reasonPrefix}; CDK's write grant on the site bucket.`],
    ['AwsSolutions-IAM5[Action::kms:ReEncrypt*]', `${reasonPrefix}; CDK's grant on the site bucket key.`],
    ['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', `${reasonPrefix}; CDK's grant on the site bucket key.`],
    ['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]', `${reasonPrefix}; it reads the web asset from the CDK bootstrap bucket.`],
    [`AwsSolutions-IAM5[Resource::${nagArnReference(siteBucket)}/*]`, `${reasonPrefix}; it writes the whole site bucket.`],
  ];
  for (const [id, reason] of findings) {
    Validations.of(handler).acknowledge({ id, reason });
  }
}
