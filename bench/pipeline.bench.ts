// Whole local run of the bundled example studies: load, validate, resample, 851 features per lesion, score,
// store. Target: one example study in under 2 s wall time on a 2-core machine. Peak memory is the process's
// maximum resident set size (worker threads included, since they share the process).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { PROJECT_ROOT } from '../local/local-context';
import { runLocal } from '../local/runner';
import type { BenchRow } from './run';

const EXAMPLES = [
  { name: 'site-ibsi/pat1', path: join(PROJECT_ROOT, 'examples', 'site-ibsi', 'pat1') },
  { name: 'site-sarcoma/sts-004', path: join(PROJECT_ROOT, 'examples', 'site-sarcoma', 'sts-004') },
];

interface RunFigures {
  readonly milliseconds: number;
  /** CPU time of the whole process (main thread and workers): on a busy machine a steadier figure than wall time. */
  readonly cpuMilliseconds: number;
  readonly lesions: number;
  readonly failed: string[];
  /** Wall time of PrepareLesions and the sum over extraction units, from the step log. */
  readonly prepareMilliseconds: number;
  readonly extractionMilliseconds: number;
}

function stepTimes(storeDir: string): { prepare: number; extraction: number } {
  const times = { prepare: 0, extraction: 0 };
  const log = join(storeDir, 'logs', 'pipeline.jsonl');
  if (!existsSync(log)) return times;
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const entry = JSON.parse(line) as { message?: string; milliseconds?: number };
    if (entry.message === 'lesion region prepared') times.prepare += entry.milliseconds ?? 0;
    if (entry.message === 'image type extracted') times.extraction += entry.milliseconds ?? 0;
  }
  return times;
}

async function timeRun(paths: string[]): Promise<RunFigures> {
  const storeDir = mkdtempSync(join(tmpdir(), 'radiomics-bench-'));
  try {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const report = await runLocal(paths, { storeDir });
    const milliseconds = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      milliseconds,
      cpuMilliseconds: (cpu.user + cpu.system) / 1000,
      lesions: report.studies.reduce((count, study) => count + study.lesions.length, 0),
      failed: report.studies.filter((study) => study.status !== 'COMPLETED').map((study) => `${study.studyId}: ${study.failure?.code}`),
      prepareMilliseconds: stepTimes(storeDir).prepare,
      extractionMilliseconds: stepTimes(storeDir).extraction,
    };
  } finally {
    rmSync(storeDir, { recursive: true, force: true });
  }
}

export default async function benchmark(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const workers = `${availableParallelism()} worker threads`;

  for (const example of EXAMPLES) {
    // The first run also warms the file cache; the figure is the better of two runs, each on a fresh store.
    const runs = [await timeRun([example.path]), await timeRun([example.path])];
    const best = runs.reduce((a, b) => (a.milliseconds <= b.milliseconds ? a : b));
    rows.push({
      name: `local run, one study (${example.name})`,
      value: best.milliseconds / 1000,
      unit: 's',
      target: { limit: 2, comparison: '<=' },
      note: best.failed.length > 0 ? `FAILED ${best.failed.join(', ')}` : `${best.lesions} lesion(s), ${workers}, best of 2`,
    });
    rows.push({ name: `  CPU time of that run (${example.name})`, value: best.cpuMilliseconds / 1000, unit: 's', note: `load average ${loadavg()[0].toFixed(1)}` });
    rows.push({ name: '  resample and crop (PrepareLesions)', value: best.prepareMilliseconds / 1000, unit: 's' });
    rows.push({ name: '  feature extraction, sum over the 9 image types', value: best.extractionMilliseconds / 1000, unit: 's' });
  }

  const both = await timeRun(EXAMPLES.map((example) => example.path));
  rows.push({
    name: 'local run, both example studies',
    value: both.milliseconds / 1000,
    unit: 's',
    note: both.failed.length > 0 ? `FAILED ${both.failed.join(', ')}` : `${both.lesions} lesion(s), ${workers}`,
  });
  rows.push({ name: 'peak memory (max RSS of the process)', value: process.resourceUsage().maxRSS / 1024, unit: 'MiB' });
  return rows;
}
