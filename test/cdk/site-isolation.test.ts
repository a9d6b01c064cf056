// Site isolation and least privilege, checked by evaluating the synthesized IAM policies.
import { describe, expect, it } from 'vitest';
import { modelFigureKey } from '@radiomics/core/api/router';
import { lesionWorkPrefix, modelArtifactKey, quarantinePrefix, zipUploadKey } from '@radiomics/core/pipeline/keys';
import { rescoreItemsKey } from '@radiomics/core/rescoring';
import { ALL_FUNCTIONS, type FunctionName } from '../../lib/function-catalogue';
import { evaluate, type PolicyStatement } from './policy-evaluator';
import { logicalIdOf, resolveIntrinsics, synthesizeRadiomics, TEST_SITES } from './synth';

const { stack, templateJson } = synthesizeRadiomics({ nag: false });

const REGION = 'eu-west-1';
const BUCKET_ARN = 'arn:aws:s3:::uploads';
const KEY_ARN = `arn:aws:kms:${REGION}:111122223333:key/data-key`;
const overrides = {
  [`${logicalIdOf(stack, stack.storage.uploadsBucket)}.Arn`]: BUCKET_ARN,
  [`${logicalIdOf(stack, stack.storage.key)}.Arn`]: KEY_ARN,
};
const VIA_S3 = { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': BUCKET_ARN };

function object(key: string): string {
  return `${BUCKET_ARN}/${key}`;
}

/** Inline and attached identity statements of a role, with intrinsics resolved. */
function statementsOfRole(roleLogicalId: string): PolicyStatement[] {
  const role = templateJson.Resources[roleLogicalId]!.Properties!;
  const inline = (role.Policies ?? []).flatMap((policy: any) => policy.PolicyDocument.Statement);
  const attached = Object.values(templateJson.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((resource) => (resource.Properties!.Roles as unknown[]).some((reference) => JSON.stringify(reference) === JSON.stringify({ Ref: roleLogicalId })))
    .flatMap((resource) => resource.Properties!.PolicyDocument.Statement);
  return resolveIntrinsics([...inline, ...attached], overrides) as PolicyStatement[];
}

describe('site upload roles', () => {
  const siteA = statementsOfRole(logicalIdOf(stack, stack.siteUploadRoles.roleFor('site-a')));

  it('one role per site, assumable from this account only', () => {
    expect(stack.siteUploadRoles.siteIds).toEqual([...TEST_SITES]);
    for (const siteId of TEST_SITES) {
      const role = templateJson.Resources[logicalIdOf(stack, stack.siteUploadRoles.roleFor(siteId))]!.Properties!;
      const trust = resolveIntrinsics(role.AssumeRolePolicyDocument.Statement);
      expect(trust).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' } }]);
      expect(role.ManagedPolicyArns, siteId).toBeUndefined();
    }
  });

  it('site can write under its own prefix', () => {
    expect(evaluate(siteA, { action: 's3:PutObject', resource: object('incoming/site-a/study-1.zip') })).toBe('allowed');
    expect(evaluate(siteA, { action: 's3:PutObject', resource: object('incoming/site-a/study-2/manifest.json') })).toBe('allowed');
  });

  it('site cannot write outside its prefix', () => {
    for (const key of [
      'incoming/site-b/study-1.zip',
      'incoming/site-ab/study-1.zip',
      'incoming/study-1.zip',
      'work/site-a/study-1/lesion-1/image.nii.gz',
      'quarantine/site-a/study-1/reason.json',
      'models/evil.json',
      'previews/site-a/x.png',
    ]) {
      expect(evaluate(siteA, { action: 's3:PutObject', resource: object(key) }), key).toBe('explicitly denied');
    }
    expect(evaluate(siteA, { action: 's3:PutObject', resource: 'arn:aws:s3:::another-bucket/incoming/site-a/x.zip' })).toBe('explicitly denied');
  });

  it('site cannot read, list or delete anything, even its own uploads', () => {
    for (const action of ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject', 's3:PutObjectAcl', 's3:PutObjectTagging', 's3:RestoreObject']) {
      expect(evaluate(siteA, { action, resource: object('incoming/site-a/study-1.zip') }), action).toBe('explicitly denied');
    }
    for (const action of ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:PutLifecycleConfiguration']) {
      expect(evaluate(siteA, { action, resource: BUCKET_ARN }), action).toBe('explicitly denied');
    }
    expect(evaluate(siteA, { action: 'dynamodb:Query', resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Results' })).toBe('implicitly denied');
  });

  it('site uses the key only through S3 for the uploads bucket', () => {
    expect(evaluate(siteA, { action: 'kms:GenerateDataKey', resource: KEY_ARN, context: VIA_S3 })).toBe('allowed');
    expect(evaluate(siteA, { action: 'kms:Encrypt', resource: KEY_ARN, context: VIA_S3 })).toBe('allowed');
    expect(evaluate(siteA, { action: 'kms:GenerateDataKey', resource: KEY_ARN })).toBe('implicitly denied');
    expect(evaluate(siteA, { action: 'kms:Decrypt', resource: KEY_ARN })).toBe('implicitly denied');
    expect(
      evaluate(siteA, {
        action: 'kms:Decrypt',
        resource: KEY_ARN,
        context: { ...VIA_S3, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::another-bucket' },
      }),
    ).toBe('implicitly denied');
    for (const action of ['kms:ReEncryptFrom', 'kms:CreateGrant', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy']) {
      expect(evaluate(siteA, { action, resource: KEY_ARN, context: VIA_S3 }), action).toBe('implicitly denied');
    }
  });

  it('site grants nothing beyond S3 uploads and S3-mediated key use', () => {
    const allowedActions = siteA.filter((statement) => statement.Effect === 'Allow').flatMap((statement) => [statement.Action ?? []].flat());
    expect(allowedActions.sort()).toEqual(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 's3:AbortMultipartUpload', 's3:PutObject']);
    for (const statement of siteA.filter((candidate) => candidate.Effect === 'Allow' && [candidate.Action].flat().some((action) => action!.startsWith('kms:')))) {
      expect(statement.Condition?.StringEquals?.['kms:ViaService']).toBe(`s3.${REGION}.amazonaws.com`);
    }
  });
});

describe('function roles', () => {
  const roleOf = (name: (typeof ALL_FUNCTIONS)[number]) => statementsOfRole(logicalIdOf(stack, stack.functions.get(name).role!));

  it('no function can overwrite or delete an upload', () => {
    for (const name of ALL_FUNCTIONS) {
      const statements = roleOf(name);
      for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion']) {
        expect(evaluate(statements, { action, resource: object('incoming/site-a/study-1.zip') }), `${name} ${action}`).not.toBe('allowed');
      }
    }
  });

  it('results API reads but never writes the table', () => {
    const statements = roleOf('results-api');
    const tableArn = `arn:resolved:${logicalIdOf(stack, stack.storage.table)}`;
    expect(evaluate(statements, { action: 'dynamodb:Query', resource: `${tableArn}/index/gsi1` })).toBe('allowed');
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
      expect(evaluate(statements, { action, resource: tableArn }), action).toBe('implicitly denied');
    }
    expect(evaluate(statements, { action: 's3:GetObject', resource: object('incoming/site-a/study-1.zip') })).toBe('implicitly denied');
  });

  it('extract-features touches only work/', () => {
    const statements = roleOf('extract-features');
    expect(evaluate(statements, { action: 's3:GetObject', resource: object('work/site-a/s/l/image.nii.gz') })).toBe('allowed');
    expect(evaluate(statements, { action: 's3:GetObject', resource: object('incoming/site-a/s.zip') })).toBe('implicitly denied');
    expect(evaluate(statements, { action: 'sns:Publish', resource: 'arn:aws:sns:eu-west-1:111122223333:topic' })).toBe('implicitly denied');
  });

  it('only the publishing steps may publish on SNS', () => {
    const topicArn = `${logicalIdOf(stack, stack.storage.topic)}`;
    const publishers = ALL_FUNCTIONS.filter((name) => evaluate(roleOf(name), { action: 'sns:Publish', resource: topicArn }) === 'allowed');
    expect(publishers.sort()).toEqual(['publish-result', 'record-failure', 'rescore-summary']);
  });
});

describe('grants match the keys the core writes and reads', () => {
  const roleOf = (name: FunctionName) => statementsOfRole(logicalIdOf(stack, stack.functions.get(name).role!));
  const can = (statements: PolicyStatement[], action: string, key: string) => evaluate(statements, { action, resource: object(key) });
  const upload = zipUploadKey('site-a', 'study-1');
  const work = `${lesionWorkPrefix('site-a', 'study-1', 'lesion-1')}features-original.json`;
  const items = rescoreItemsKey('v2', 'run-1');

  const cases: [FunctionName, string, string][] = [
    ['validate-study', 's3:GetObject', upload],
    ['prepare-lesions', 's3:PutObject', work],
    ['extract-features', 's3:GetObject', work],
    ['extract-features', 's3:PutObject', work],
    ['aggregate-features', 's3:GetObject', work],
    ['score-lesions', 's3:GetObject', modelArtifactKey('v1')],
    ['record-failure', 's3:GetObject', upload],
    ['record-failure', 's3:PutObject', `${quarantinePrefix('site-a', 'study-1')}reason.json`],
    ['publish-model', 's3:GetObject', modelArtifactKey('v2')],
    ['publish-model', 's3:PutObject', modelFigureKey('v2', 'roc.svg')],
    ['rescore-plan', 's3:PutObject', items],
    ['rescore-batch', 's3:GetObject', modelArtifactKey('v2')],
    ['results-api', 's3:GetObject', modelFigureKey('v2', 'roc.svg')],
  ];
  it.each(cases)('%s may %s %s', (name, action, key) => {
    expect(can(roleOf(name), action, key)).toBe('allowed');
  });

  it('start-study only starts the study workflow', () => {
    const statements = roleOf('start-study');
    const studyWorkflowArn = logicalIdOf(stack, stack.studyWorkflow.stateMachine);
    expect(evaluate(statements, { action: 'states:StartExecution', resource: studyWorkflowArn })).toBe('allowed');
    expect(evaluate(statements, { action: 'states:StartExecution', resource: logicalIdOf(stack, stack.rescoring.stateMachine) })).toBe('implicitly denied');
    expect(can(statements, 's3:GetObject', upload)).toBe('implicitly denied');
    expect(evaluate(statements, { action: 'dynamodb:PutItem', resource: `arn:resolved:${logicalIdOf(stack, stack.storage.table)}` })).toBe('implicitly denied');
  });

  it('re-scoring state machine reads the lesion list written by rescore-plan', () => {
    const statements = statementsOfRole(logicalIdOf(stack, stack.rescoring.stateMachine.role));
    expect(can(statements, 's3:GetObject', items)).toBe('allowed');
    expect(can(statements, 's3:GetObject', upload)).toBe('implicitly denied');
  });

  it('readers may list, so missing keys give 404', () => {
    expect(evaluate(roleOf('record-failure'), { action: 's3:ListBucket', resource: BUCKET_ARN })).toBe('allowed');
    expect(evaluate(roleOf('extract-features'), { action: 's3:ListBucket', resource: BUCKET_ARN })).toBe('allowed');
    expect(evaluate(roleOf('start-study'), { action: 's3:ListBucket', resource: BUCKET_ARN })).toBe('implicitly denied');
  });
});
