// cfn-lint on the synthesized template: no errors, and no warning other than W3005.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { synthesizeRadiomics } from './synth';

/**
 * W3005 flags a DependsOn already implied by a Ref or GetAtt. CDK writes such DependsOn entries itself, for
 * example a Lambda function on its role's default policy. The redundancy is harmless, so W3005 is the one
 * warning accepted here.
 */
const ACCEPTED_WARNINGS = new Set(['W3005']);

interface CfnLintMatch {
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

describe('cfn-lint', () => {
  const { templatePath } = synthesizeRadiomics({ nag: false });
  const run = spawnSync('cfn-lint', ['--format', 'json', templatePath], { encoding: 'utf8', timeout: 120_000 });

  it('runs', () => {
    expect(run.error, 'cfn-lint must be installed (pip install cfn-lint) and on PATH').toBeUndefined();
    // Exit status bits: 2 errors, 4 warnings, 8 informational; 1 means cfn-lint itself failed.
    expect(run.status! & 1, run.stderr).toBe(0);
  });

  const matches = (run.stdout ? JSON.parse(run.stdout) : []) as CfnLintMatch[];
  const describeMatch = (match: CfnLintMatch) => `${match.Rule.Id} at ${match.Location.Path.join('/')}: ${match.Message}`;

  it('reports no errors', () => {
    expect(matches.filter((match) => match.Level === 'Error').map(describeMatch)).toEqual([]);
  });

  it('reports no warnings besides W3005', () => {
    const warnings = matches.filter((match) => match.Level === 'Warning' && !ACCEPTED_WARNINGS.has(match.Rule.Id));
    expect(warnings.map(describeMatch)).toEqual([]);
  });
});
