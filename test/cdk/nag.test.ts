// cdk-nag's AwsSolutions pack runs in synthesis: no unacknowledged finding, every acknowledgement has a reason.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildRadiomicsApp } from '../../lib/radiomics-app';
import { describeValidationReport, FIXTURES, logicalIdOf, standInProps, STACK_NAME, synthesizeRadiomics, TEST_SITES } from './synth';

interface AcknowledgedRule {
  id: string;
  reason: string;
}

/**
 * Acknowledgements recorded on the construct tree. CDK stores each as construct metadata mapping the rule id,
 * prefixed with its kind (for example `Annotation::AwsSolutions-S1`), to the reason.
 */
function acknowledgementsOf(root: import('constructs').IConstruct): { path: string; rule: AcknowledgedRule }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, rule: { id: id.replace(/^[A-Za-z]+::/, ''), reason } })),
  );
}

describe('cdk-nag AwsSolutions', () => {
  // With the web app deployed, so that the BucketDeployment handler is checked too.
  const synthesized = synthesizeRadiomics({ props: { webDistDirectory: path.join(FIXTURES, 'web-dist') } });

  it('synthesis passes with zero unacknowledged findings', () => {
    expect(synthesized.stack.dashboard.webAssetsDeployed).toBe(true);
    expect(describeValidationReport(synthesized.outdir)).toBe('');
  });

  it('web deployment writes config.json with the Cognito client', () => {
    const deployment = Object.values(synthesized.templateJson.Resources).find((resource) => resource.Type === 'Custom::CDKBucketDeployment')!;
    const markers = JSON.stringify(deployment.Properties!.SourceMarkers);
    expect(markers).toContain(logicalIdOf(synthesized.stack, synthesized.stack.dashboard.userPoolClient));
    expect(markers).toContain(logicalIdOf(synthesized.stack, synthesized.stack.dashboard.userPoolDomain));
  });

  it('every acknowledgement carries a reason', () => {
    const acknowledgements = acknowledgementsOf(synthesized.stack);
    expect(acknowledgements.length).toBeGreaterThan(20);
    for (const { path: constructPath, rule } of acknowledgements) {
      // cdk-nag rule ids, or CDK's own construct warnings (`@aws-cdk/<module>:<warning>`).
      expect(rule.id, constructPath).toMatch(/^(AwsSolutions-[A-Z]+\d+|@aws-cdk\/[a-z0-9-]+:[A-Za-z]+)/);
      expect(rule.reason.length, `${rule.id} at ${constructPath}`).toBeGreaterThanOrEqual(40);
    }
  });

  it('no rule is acknowledged for the whole stack', () => {
    const stackLevel = acknowledgementsOf(synthesized.stack).filter(({ path: constructPath }) => constructPath === STACK_NAME);
    expect(stackLevel).toEqual([]);
  });

  it('an unacknowledged finding fails synthesis', () => {
    const outdir = fs.mkdtempSync(path.join(synthesized.outdir, '..', 'radiomics-cdk-nag-'));
    const { app, stack } = buildRadiomicsApp({
      appProps: { outdir, context: { 'radiomics:stackName': STACK_NAME } },
      stackProps: { siteIds: [...TEST_SITES], ...standInProps() },
    });
    // A bucket without server access logs, TLS enforcement or a public access block.
    new s3.Bucket(stack, 'CarelessBucket', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY });
    expect(() => app.synth()).toThrow();
    const report = describeValidationReport(outdir);
    expect(report).toContain(`AwsSolutions-S1 at ${STACK_NAME}/CarelessBucket/Resource`);
    expect(report).toContain(`AwsSolutions-S10 at ${STACK_NAME}/CarelessBucket/Resource`);
  });
});
