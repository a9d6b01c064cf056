// Shared synthesis for the CDK tests: builds the real app (with cdk-nag) into a temporary cloud assembly.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { ALL_FUNCTIONS, type FunctionName } from '../../lib/function-catalogue';
import { FUNCTIONS_DIRECTORY, REPOSITORY_ROOT, RESCORE_WORKFLOW_DEFINITION, STUDY_WORKFLOW_DEFINITION } from '../../lib/paths';
import { buildRadiomicsApp } from '../../lib/radiomics-app';
import type { RadiomicsStack, RadiomicsStackProps } from '../../lib/radiomics-stack';

export const FIXTURES = path.join(REPOSITORY_ROOT, 'test', 'cdk', 'fixtures');
export const TEST_SITES = ['site-a', 'site-b'] as const;
export const STACK_NAME = 'RadiomicsTest';

/**
 * Files of other parts that the app needs, with the fixture used in their place while they are missing.
 * The contract test fails for each one that is missing, so the stand-ins never hide a gap.
 */
export function contractFiles(): { name: string; path: string; present: boolean }[] {
  return [
    ...ALL_FUNCTIONS.map((name) => ({ name: `handler of ${name}`, path: path.join(FUNCTIONS_DIRECTORY, name, 'index.ts') })),
    { name: 'study workflow definition', path: STUDY_WORKFLOW_DEFINITION },
    { name: 're-scoring workflow definition', path: RESCORE_WORKFLOW_DEFINITION },
    { name: 'parameter files folder', path: path.join(REPOSITORY_ROOT, 'params') },
    { name: 'model artifacts folder', path: path.join(REPOSITORY_ROOT, 'models') },
  ].map((file) => ({ ...file, present: fs.existsSync(file.path) && !isEmptyDirectory(file.path) }));
}

function isEmptyDirectory(filePath: string): boolean {
  return fs.statSync(filePath).isDirectory() && fs.readdirSync(filePath).length === 0;
}

/** Stack properties that put fixtures in place of the contract files that have not landed yet. */
export function standInProps(): Partial<RadiomicsStackProps> {
  const handlerEntries: Partial<Record<FunctionName, string>> = {};
  for (const name of ALL_FUNCTIONS) {
    if (!fs.existsSync(path.join(FUNCTIONS_DIRECTORY, name, 'index.ts'))) {
      handlerEntries[name] = path.join(FIXTURES, 'stub-handler.ts');
    }
  }
  const dataDirectory = (name: string) => {
    const real = path.join(REPOSITORY_ROOT, name);
    return fs.existsSync(real) && !isEmptyDirectory(real) ? real : path.join(FIXTURES, 'layer-data', name);
  };
  return {
    handlerEntries,
    studyWorkflowDefinitionPath: fs.existsSync(STUDY_WORKFLOW_DEFINITION)
      ? STUDY_WORKFLOW_DEFINITION
      : path.join(FIXTURES, 'study-workflow.asl.json'),
    rescoreWorkflowDefinitionPath: fs.existsSync(RESCORE_WORKFLOW_DEFINITION)
      ? RESCORE_WORKFLOW_DEFINITION
      : path.join(FIXTURES, 'rescore-workflow.asl.json'),
    coreLayer: { dataDirectories: { params: dataDirectory('params'), models: dataDirectory('models') } },
  };
}

export interface SynthesizedRadiomics {
  readonly stack: RadiomicsStack;
  readonly template: Template;
  readonly templateJson: CloudFormationTemplate;
  readonly templatePath: string;
  readonly outdir: string;
}

export interface CloudFormationTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: string[] }>;
  Outputs?: Record<string, unknown>;
}

/**
 * Synthesizes the app once into a temporary folder, with cdk-nag's AwsSolutions pack unless `nag: false`.
 * A nag finding makes synthesis throw; the error then lists each rule and construct path from the report.
 */
export function synthesizeRadiomics(options: { nag?: boolean; context?: Record<string, unknown>; props?: Partial<RadiomicsStackProps> } = {}): SynthesizedRadiomics {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'radiomics-cdk-'));
  const { app, stack } = buildRadiomicsApp({
    appProps: { outdir, context: { 'radiomics:stackName': STACK_NAME, ...options.context } },
    stackProps: { siteIds: [...TEST_SITES], ...standInProps(), ...options.props },
    nag: options.nag ?? true,
  });

  try {
    app.synth();
  } catch (error) {
    throw new Error(`Synthesis failed: ${(error as Error).message}\n${describeValidationReport(outdir)}`, { cause: error });
  }

  const templatePath = path.join(outdir, `${STACK_NAME}.template.json`);
  const templateJson = JSON.parse(fs.readFileSync(templatePath, 'utf8')) as CloudFormationTemplate;
  return { stack, template: Template.fromJSON(templateJson), templateJson, templatePath, outdir };
}

/** Formats one line per violation of the cloud assembly's validation report (empty when there is no report). */
export function describeValidationReport(outdir: string): string {
  const reportPath = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(reportPath)) return '';
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as {
    pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
  };
  return report.pluginReports
    .flatMap((plugin) => plugin.violations)
    .flatMap((violation) => violation.violatingConstructs.map((construct) => `${violation.ruleName} at ${construct.constructPath}`))
    .join('\n');
}

/** Logical ids of the resources of one type. */
export function logicalIdsOfType(template: CloudFormationTemplate, type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId]) => logicalId);
}

/** Logical id of the CloudFormation resource behind a construct. */
export function logicalIdOf(stack: RadiomicsStack, construct: { node: { defaultChild?: unknown } } | unknown): string {
  const resource = (construct as { node: { defaultChild?: unknown } }).node.defaultChild ?? construct;
  return stack.resolve(stack.getLogicalId(resource as never)) as string;
}

/**
 * Turns intrinsic functions into plain strings so that definitions and policies can be read as text:
 * `Fn::GetAtt [X, Arn]` → `arn:resolved:X`, `Ref X` → `X`, pseudo parameters → fixed values, `Fn::Join` joined.
 */
export function resolveIntrinsics(value: unknown, overrides: Record<string, string> = {}): any {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, overrides));
  if (value === null || typeof value !== 'object') return value;

  const object = value as Record<string, unknown>;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveIntrinsics(part, overrides)).join(separator);
  }
  if ('Fn::GetAtt' in object) {
    const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
    return overrides[`${logicalId}.${attribute}`] ?? `arn:resolved:${logicalId}`;
  }
  if ('Ref' in object) {
    const reference = object.Ref as string;
    const pseudo: Record<string, string> = {
      'AWS::Region': 'eu-west-1',
      'AWS::AccountId': '111122223333',
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
    };
    return overrides[reference] ?? pseudo[reference] ?? reference;
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, resolveIntrinsics(item, overrides)]));
}
