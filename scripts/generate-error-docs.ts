// Writes docs/errors.md from the error catalogue, so the documented table never drifts from the code.
// `npm run docs:errors`; test/core/error-docs.test.ts fails when the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { ERROR_CATALOGUE, EXIT_STATUS } from '../layers/core/src/errors';

export function renderErrorDocs(): string {
  const lines = [
    '# Error codes',
    '',
    'Every refusal in the product is a `RadiomicsError` with one of these stable codes. The code is stored on the',
    'study record (status FAILED), sent in the SNS failure message, shown in the dashboard and mapped to the exit',
    'status of the `radiomics` CLI. A failed study keeps its upload; after a fix, upload it again or re-run it.',
    '',
    'This file is generated from `layers/core/src/errors/catalogue.ts` by `npm run docs:errors`.',
    '',
    '| Category | CLI exit status | Meaning |',
    '| --- | --- | --- |',
    '| input | ' + EXIT_STATUS.input + ' | The upload is wrong: the site fixes it and uploads again. |',
    '| privacy | ' + EXIT_STATUS.privacy + ' | Identifying data is present: the site de-identifies and uploads again. |',
    '| configuration | ' + EXIT_STATUS.configuration + ' | Settings, parameter file or model artifact are invalid: the operator fixes them. |',
    '| limit | ' + EXIT_STATUS.limit + ' | A size or count limit was exceeded. |',
    '| transient | ' + EXIT_STATUS.transient + ' | An infrastructure failure: retrying can succeed. |',
    '| internal | ' + EXIT_STATUS.internal + ' | A defect in the product: report it. |',
    '',
    'Usage errors of the CLI (unknown option, missing argument) exit with status 1.',
    '',
    '| Code | Category | What to do |',
    '| --- | --- | --- |',
  ];
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
    lines.push(`| \`${code}\` | ${entry.category} | ${entry.action} |`);
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL('../docs/errors.md', import.meta.url));
  writeFileSync(target, renderErrorDocs());
  console.log(`wrote ${target}`);
}
