import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CORE_MODULE_NAME, LAYER_MODELS_DIRECTORY, LAYER_PARAMS_DIRECTORY } from './core-layer';
import { describeFunctions, type FunctionDescription, type FunctionName, type FunctionSizing } from './function-catalogue';
import { FUNCTIONS_DIRECTORY, REPOSITORY_ROOT } from './paths';

/** Version of the product (package.json), stamped on results as provenance. */
const PRODUCT_VERSION = (JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export interface RadiomicsFunctionsProps {
  /** Layer with the core; every function imports `@radiomics/core` from it. */
  readonly coreLayer: lambda.ILayerVersion;

  /** Key that encrypts the functions' log groups. */
  readonly logKey: kms.IKey;

  /** Environment shared by every function (BUCKET_NAME, TABLE_NAME, TOPIC_ARN, MAX_VOXELS, ...). */
  readonly environment: Readonly<Record<string, string>>;

  /**
   * Folder with one sub-folder per function, each with an `index.ts` exporting `handler`.
   * @default functions/ of the repository
   */
  readonly functionsDirectory?: string;

  /**
   * Handler entry files that replace `<functionsDirectory>/<name>/index.ts` for the functions they name.
   * @default none
   */
  readonly handlerEntries?: Partial<Record<FunctionName, string>>;

  /**
   * Memory and timeout per function, replacing the defaults of the function catalogue.
   * @default the catalogue's sizing
   */
  readonly sizing?: Partial<Record<FunctionName, Partial<FunctionSizing>>>;

  /**
   * Retention of the functions' CloudWatch log groups.
   * @default one year
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Removal policy of the log groups.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * One NodejsFunction per function folder, all with the same secure, observable defaults:
 * - Node.js 22 on arm64, with its own role and a KMS-encrypted log group with a fixed retention;
 * - esbuild bundling (minified, with source maps), the core left external and loaded from the layer, the AWS
 *   SDK v3 taken from the runtime;
 * - active X-Ray tracing and the Powertools settings: service name per function, metrics namespace Radiomics,
 *   and no event or response capture, because events and state outputs may carry upload file names.
 */
export class RadiomicsFunctions extends Construct {
  private readonly functionsByName = new Map<FunctionName, nodejs.NodejsFunction>();
  readonly descriptions: readonly FunctionDescription[];

  constructor(scope: Construct, id: string, props: RadiomicsFunctionsProps) {
    super(scope, id);

    const functionsDirectory = props.functionsDirectory ?? FUNCTIONS_DIRECTORY;
    this.descriptions = describeFunctions(props.sizing);

    const missing = this.descriptions
      .map((description) => resolveEntry(functionsDirectory, description.name, props.handlerEntries))
      .filter((entry) => !fs.existsSync(entry));
    if (missing.length > 0) {
      throw new Error(
        `Lambda handler file(s) missing: ${missing.map((entry) => path.relative(REPOSITORY_ROOT, entry)).join(', ')}. ` +
          'Each function folder under functions/ needs an index.ts that exports `handler`.',
      );
    }

    for (const description of this.descriptions) {
      const logGroup = new logs.LogGroup(this, `${description.placeholder.replace(/Arn$/, '')}Logs`, {
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        encryptionKey: props.logKey,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });

      // An own role per function instead of AWSLambdaBasicExecutionRole, which could write to any log group.
      const role = new iam.Role(this, `${description.placeholder.replace(/Arn$/, '')}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of ${description.name}`,
      });
      logGroup.grantWrite(role);

      const fn = new nodejs.NodejsFunction(this, description.placeholder.replace(/Arn$/, ''), {
        role,
        entry: resolveEntry(functionsDirectory, description.name, props.handlerEntries),
        handler: 'handler',
        description: description.description,
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: description.memorySize,
        timeout: Duration.seconds(description.timeoutSeconds),
        tracing: lambda.Tracing.ACTIVE,
        logGroup,
        layers: [props.coreLayer],
        projectRoot: REPOSITORY_ROOT,
        depsLockFilePath: path.join(REPOSITORY_ROOT, 'package-lock.json'),
        awsSdkConnectionReuse: false,
        environment: {
          ...props.environment,
          POWERTOOLS_SERVICE_NAME: `radiomics-${description.name}`,
          POWERTOOLS_METRICS_NAMESPACE: 'Radiomics',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          POWERTOOLS_LOGGER_LOG_EVENT: 'false',
          POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
          PARAMS_DIR: LAYER_PARAMS_DIRECTORY,
          MODELS_DIR: LAYER_MODELS_DIRECTORY,
          NODE_OPTIONS: '--enable-source-maps',
          PRODUCT_VERSION,
        },
        bundling: {
          format: nodejs.OutputFormat.CJS,
          target: 'node22',
          minify: true,
          sourceMap: true,
          sourcesContent: false,
          tsconfig: path.join(REPOSITORY_ROOT, 'tsconfig.json'),
          // The core comes from the layer (/opt/nodejs/node_modules); the AWS SDK v3 from the Node.js 22 runtime.
          externalModules: [CORE_MODULE_NAME, '@aws-sdk/*'],
        },
      });

      this.functionsByName.set(description.name, fn);
    }
  }

  /** The function built from `functions/<name>`. */
  get(name: FunctionName): nodejs.NodejsFunction {
    const fn = this.functionsByName.get(name);
    if (!fn) throw new Error(`No Lambda function named ${name}.`);
    return fn;
  }

  /** Placeholder → function ARN, for the `definitionSubstitutions` of the ASL files. */
  arnSubstitutions(): Record<string, string> {
    return Object.fromEntries(this.descriptions.map((description) => [description.placeholder, this.get(description.name).functionArn]));
  }
}

function resolveEntry(functionsDirectory: string, name: FunctionName, overrides?: Partial<Record<FunctionName, string>>): string {
  return overrides?.[name] ?? path.join(functionsDirectory, name, 'index.ts');
}
