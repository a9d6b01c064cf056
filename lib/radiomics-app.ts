import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RadiomicsStack, type RadiomicsStackProps } from './radiomics-stack';

/** Context keys read by the CDK app (`cdk synth -c radiomics:sites=site-a,site-b`, or cdk.json). */
export const CONTEXT_KEYS = {
  sites: 'radiomics:sites',
  rescoreSchedule: 'radiomics:rescoreSchedule',
  maxVoxels: 'radiomics:maxVoxels',
  stackName: 'radiomics:stackName',
  authDomainPrefix: 'radiomics:authDomainPrefix',
  webAclArn: 'radiomics:webAclArn',
} as const;

export interface RadiomicsAppOptions {
  /** Options of the CDK App (outdir, context). */
  readonly appProps?: AppProps;
  /** Stack properties that replace the ones read from context. */
  readonly stackProps?: Partial<RadiomicsStackProps>;
  /**
   * Run cdk-nag's AwsSolutions checks during synthesis.
   * @default true
   */
  readonly nag?: boolean;
}

/**
 * CDK feature flags the app relies on, set here as well as in cdk.json so that tests building the app directly
 * synthesize the same template as `cdk synth`.
 */
export const FEATURE_FLAGS = {
  // Grant S3 server access log delivery through the log bucket's policy instead of the legacy ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/core:enablePartitionLiterals': true,
} as const;

/** Builds the app with one RadiomicsStack configured from context, with cdk-nag's AwsSolutions pack. */
export function buildRadiomicsApp(options: RadiomicsAppOptions = {}): { app: App; stack: RadiomicsStack } {
  const app = new App({ ...options.appProps, context: { ...FEATURE_FLAGS, ...options.appProps?.context } });

  const stackName = stringContext(app, CONTEXT_KEYS.stackName) ?? 'Radiomics';
  const maxVoxelsText = stringContext(app, CONTEXT_KEYS.maxVoxels);
  const maxVoxels = maxVoxelsText === undefined ? undefined : Number(maxVoxelsText);
  if (maxVoxels !== undefined && !(Number.isInteger(maxVoxels) && maxVoxels > 0)) {
    throw new Error(`Context ${CONTEXT_KEYS.maxVoxels} must be a positive integer, got "${maxVoxelsText}".`);
  }

  const stack = new RadiomicsStack(app, stackName, {
    description: 'Radiomics: CT study uploads to per-lesion progression scores (S3, Step Functions, Lambda, DynamoDB, SNS)',
    siteIds: listContext(app, CONTEXT_KEYS.sites),
    rescoreSchedule: stringContext(app, CONTEXT_KEYS.rescoreSchedule),
    maxVoxels,
    authDomainPrefix: stringContext(app, CONTEXT_KEYS.authDomainPrefix),
    webAclArn: stringContext(app, CONTEXT_KEYS.webAclArn),
    ...options.stackProps,
  });

  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return { app, stack };
}

function stringContext(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

/** Reads a list from context given as a JSON array (cdk.json) or a comma-separated string (`-c key=a,b`). */
function listContext(app: App, key: string): string[] {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value.map(String);
  const text = String(value).trim();
  if (text.startsWith('[')) return (JSON.parse(text) as unknown[]).map(String);
  return text.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}
