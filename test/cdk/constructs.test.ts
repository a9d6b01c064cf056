// Input checks of the constructs, without synthesizing the whole app.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { readAslDefinition } from '../../lib/asl-definition';
import { describeFunctions, pascalCase } from '../../lib/function-catalogue';
import { RadiomicsFunctions } from '../../lib/functions';
import { SiteUploadRoles } from '../../lib/site-upload-roles';
import { FIXTURES } from './synth';

function emptyStack(): Stack {
  return new Stack(new App(), 'Probe', { env: { account: '111122223333', region: 'eu-west-1' } });
}

function temporaryFile(name: string, text: string): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'radiomics-cdk-unit-'));
  const filePath = path.join(directory, name);
  fs.writeFileSync(filePath, text);
  return filePath;
}

describe('function catalogue', () => {
  it('placeholders are PascalCase of the folder', () => {
    expect(pascalCase('validate-study')).toBe('ValidateStudy');
    expect(describeFunctions().find((description) => description.name === 'rescore-plan')!.placeholder).toBe('RescorePlanFunctionArn');
  });

  it('rejects sizes Lambda does not accept', () => {
    expect(() => describeFunctions({ 'extract-features': { memorySize: 64 } })).toThrow(/extract-features.*128 to 10240 MB/);
    expect(() => describeFunctions({ 'prepare-lesions': { timeoutSeconds: 901 } })).toThrow(/prepare-lesions.*1 to 900 s/);
  });
});

describe('ASL definition', () => {
  it('reads the fixture with its placeholders', () => {
    const definition = readAslDefinition(path.join(FIXTURES, 'rescore-workflow.asl.json'), [
      'RescorePlanFunctionArn',
      'RescoreBatchFunctionArn',
      'RescoreSummaryFunctionArn',
      'BucketName',
    ]);
    expect([...definition.placeholders].sort()).toEqual(['BucketName', 'RescoreBatchFunctionArn', 'RescorePlanFunctionArn', 'RescoreSummaryFunctionArn']);
  });

  it('names an unknown placeholder', () => {
    const filePath = temporaryFile('typo.asl.json', JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: '${ValidateStudyFunctionArm}', End: true } } }));
    expect(() => readAslDefinition(filePath, ['ValidateStudyFunctionArn'])).toThrow(/unknown placeholder\(s\) \$\{ValidateStudyFunctionArm\}/);
  });

  it('rejects invalid JSON and a missing StartAt', () => {
    expect(() => readAslDefinition(temporaryFile('broken.asl.json', '{ "StartAt": '), [])).toThrow(/is not valid JSON/);
    expect(() => readAslDefinition(temporaryFile('empty.asl.json', '{}'), [])).toThrow(/needs a string "StartAt"/);
    expect(() => readAslDefinition('/nonexistent/study-workflow.asl.json', [])).toThrow(/not found/);
  });
});

describe('functions construct', () => {
  it('fails synthesis naming every missing handler file', () => {
    const stack = emptyStack();
    const emptyFunctions = fs.mkdtempSync(path.join(os.tmpdir(), 'radiomics-functions-'));
    expect(
      () =>
        new RadiomicsFunctions(stack, 'Functions', {
          coreLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Layer', 'arn:aws:lambda:eu-west-1:111122223333:layer:core:1'),
          logKey: new kms.Key(stack, 'Key'),
          environment: {},
          functionsDirectory: emptyFunctions,
        }),
    ).toThrow(/Lambda handler file\(s\) missing: .*start-study\/index\.ts.*rescore-summary\/index\.ts/);
  });
});

describe('site upload roles construct', () => {
  function build(siteIds: string[]) {
    const stack = emptyStack();
    return new SiteUploadRoles(stack, 'Sites', {
      siteIds,
      bucket: new s3.Bucket(stack, 'Bucket'),
      key: new kms.Key(stack, 'Key'),
    });
  }

  it('rejects site ids that would escape or blur a prefix', () => {
    for (const siteId of ['../site-b', 'site/a', '', '*', '.hidden', 'a'.repeat(65)]) {
      expect(() => build([siteId]), JSON.stringify(siteId)).toThrow(/Invalid site id/);
    }
  });

  it('rejects a site listed twice', () => {
    expect(() => build(['site-a', 'SITE-A'])).toThrow(/listed twice/);
  });

  it('creates one role per site', () => {
    expect(build(['site-a', 'site_b.2']).siteIds).toEqual(['site-a', 'site_b.2']);
  });
});
