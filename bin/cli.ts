// Entry point of the `radiomics` CLI. Each sub-command lives in its own module under bin/commands/.
import { Command, CommanderError } from 'commander';

import { toRadiomicsError } from '@radiomics/core';

import { registerEvaluate } from './commands/evaluate';
import { registerExtract } from './commands/extract';
import { registerInspect } from './commands/inspect';
import { registerModels } from './commands/models';
import { registerRecist } from './commands/recist';
import { registerRescore } from './commands/rescore';
import { registerRun } from './commands/run';
import { registerServe } from './commands/serve';
import { registerTrain } from './commands/train';
import { PRODUCT_VERSION } from './version';

const program = new Command('radiomics')
  .description('Radiomics for soft-tissue-sarcoma lung metastases: load CT studies, extract PyRadiomics-compatible features, train and apply the progression model.')
  .version(PRODUCT_VERSION)
  .showHelpAfterError()
  .exitOverride();

for (const register of [
  registerInspect,
  registerExtract,
  registerRun,
  registerRecist,
  registerTrain,
  registerEvaluate,
  registerModels,
  registerRescore,
  registerServe,
]) {
  register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (thrown) {
  if (thrown instanceof CommanderError) {
    // Help and version output end here with exit code 0; usage errors with 1.
    process.exit(thrown.exitCode);
  }
  const error = toRadiomicsError(thrown);
  console.error(`radiomics: ${error.code}: ${error.message}`);
  console.error(`  What to do: ${error.action}`);
  if (error.code === 'INTERNAL_ERROR' && error.cause instanceof Error && error.cause.stack) {
    console.error(error.cause.stack);
  }
  process.exit(error.exitStatus);
}
