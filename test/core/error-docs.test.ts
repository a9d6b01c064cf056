import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { renderErrorDocs } from '../../scripts/generate-error-docs';

describe('docs/errors.md', () => {
  it('matches the error catalogue', () => {
    const committed = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

    // On failure run `npm run docs:errors` and commit the result.
    expect(committed).toBe(renderErrorDocs());
  });
});
