// The JIT warm-up that idle local workers run: a synthetic lesion through every enabled image type.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { warmUpExtraction } from '@radiomics/core/extraction';
import { parseParams } from '@radiomics/core/settings';

function params(name: string) {
  return parseParams(readFileSync(new URL(`../../params/${name}`, import.meta.url), 'utf8'), name);
}

describe('warmUpExtraction', () => {
  it('computes the protocol’s 851 features', () => {
    expect(warmUpExtraction(params('study-protocol.yaml'))).toBe(851);
  });

  it('follows the image types and label', () => {
    const original = params('pyradiomics-default.yaml');
    const settings = { ...original, imageType: { Original: {} }, setting: { ...original.setting, label: 300 } };
    expect(warmUpExtraction(settings)).toBe(107);
  });
});
