// Writes the corpus of broken studies to a folder: one study folder or zip archive per case, named after the case.
// Tests call materialiseCorpus at run time; `npx tsx test/hostile/corpus/build-corpus.ts OUT_DIR [SITE_ID]`
// writes the same corpus for a manual `radiomics run OUT_DIR`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { writeStudyFolder } from '../../helpers/study-builder';
import { CORPUS, type CorpusCase } from './cases';

export interface MaterialisedCase {
  readonly corpusCase: CorpusCase;
  /** The study folder or zip archive written for the case. */
  readonly path: string;
  readonly siteId: string;
  readonly studyId: string;
}

export function materialiseCorpus(root: string, siteId: string, cases: readonly CorpusCase[] = CORPUS): MaterialisedCase[] {
  mkdirSync(root, { recursive: true });
  return cases.map((corpusCase) => {
    const ids = { siteId, studyId: corpusCase.name };
    const upload = corpusCase.build(ids);
    let path: string;
    if (upload.kind === 'zip') {
      path = join(root, `${corpusCase.name}.zip`);
      writeFileSync(path, upload.bytes);
    } else {
      path = writeStudyFolder(join(root, corpusCase.name), upload.files);
    }
    return { corpusCase, path, ...ids };
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [outDir, siteId = 'site-hostile'] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: npx tsx test/hostile/corpus/build-corpus.ts OUT_DIR [SITE_ID]');
    process.exit(1);
  }
  for (const written of materialiseCorpus(resolve(outDir), siteId)) {
    console.log(`${written.corpusCase.expectedCode ?? 'COMPLETED'}\t${written.path}\t${written.corpusCase.breaks}`);
  }
}
