// Access to the shared reference data set (IBSI phantoms, PyRadiomics baselines, oracle outputs) that
// lives outside the repository, in ../shared/reference beside the checkout.
//
// When the folder is absent, tests that need it fail with a message naming the missing path, unless
// RADIOMICS_SKIP_REFERENCE=1 is set, in which case they are skipped and the skip is printed.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, it } from 'vitest';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Root of the reference data: RADIOMICS_REFERENCE_DIR, or ../shared/reference beside the checkout. */
export const REFERENCE_ROOT = process.env.RADIOMICS_REFERENCE_DIR ?? join(projectRoot, '..', 'shared', 'reference');

export function referencePath(...segments: string[]): string {
  return join(REFERENCE_ROOT, ...segments);
}

/**
 * A describe block for tests that read reference files. When one of `requiredPaths` (relative to the
 * reference root) is missing, the block becomes one failing test that names it, or one skipped test
 * when RADIOMICS_SKIP_REFERENCE=1.
 */
export function describeWithReference(title: string, requiredPaths: string[], body: () => void): void {
  const missing = requiredPaths.filter((path) => !existsSync(referencePath(path)));
  if (missing.length === 0) {
    describe(title, body);
    return;
  }

  const message = `reference data missing under ${REFERENCE_ROOT}: ${missing.join(', ')}`;
  describe(title, () => {
    if (process.env.RADIOMICS_SKIP_REFERENCE === '1') {
      console.warn(`SKIPPED "${title}": ${message}`);
      it.skip(message, () => {});
    } else {
      it('has its reference data', () => {
        throw new Error(`${message}. Place the shared reference folder there, or set RADIOMICS_SKIP_REFERENCE=1 to skip.`);
      });
    }
  });
}
