// `npm run bench`: runs every bench/*.bench.ts in turn and prints its figures.
//
// Speed and memory targets are checked here, never in timed tests. Each benchmark module default-exports
// an async function that returns result rows; this runner prints them with the machine they ran on. With more
// than one module selected, each runs in a process of its own. What one leaves behind (the re-scoring benchmark
// keeps 100,000 lesions in memory, the pipeline one starts worker threads) made every garbage collection of the
// next one slower, and added 0.1 s to the 851-feature figure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The target the figure is compared with, when there is one. */
  readonly target?: { readonly limit: number; readonly comparison: '<=' | '>=' };
  readonly note?: string;
}

export type Benchmark = () => Promise<BenchRow[]>;

const benchFolder = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
/** Set in the process that runs one module for a parent runner, which reads the count of missed targets. */
const CHILD_ENVIRONMENT = 'RADIOMICS_BENCH_CHILD';
const MISSED_MARKER = 'bench-missed-targets:';
const files = readdirSync(benchFolder)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => (process.env[CHILD_ENVIRONMENT] ? file === filter : !filter || file.includes(filter)))
  .sort();

if (!process.env[CHILD_ENVIRONMENT]) {
  console.log(`Node.js ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
}

let missed = 0;
if (files.length > 1) {
  for (const file of files) missed += runInOwnProcess(file);
} else {
  for (const file of files) missed += await runHere(file);
}

if (process.env[CHILD_ENVIRONMENT]) console.log(`${MISSED_MARKER}${missed}`);
else console.log(missed === 0 ? '\nAll targets met.' : `\n${missed} target(s) missed.`);

/** Runs one module in a new Node.js process (with this one's loader flags) and returns its missed targets. */
function runInOwnProcess(file: string): number {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), file], {
    env: { ...process.env, [CHILD_ENVIRONMENT]: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  const lines = (child.stdout ?? '').split('\n');
  const marker = lines.find((line) => line.startsWith(MISSED_MARKER));
  process.stdout.write(lines.filter((line) => !line.startsWith(MISSED_MARKER)).join('\n'));
  if (child.status !== 0 || marker === undefined) {
    console.log(`${file} did not finish (exit status ${child.status ?? child.signal}); its figures are missing.`);
    return 1;
  }
  return Number(marker.slice(MISSED_MARKER.length));
}

/** Runs one module in this process, prints its rows and returns its missed targets. */
async function runHere(file: string): Promise<number> {
  let missedHere = 0;
  const module = (await import(pathToFileURL(join(benchFolder, file)).href)) as { default: Benchmark };
  console.log(`\n## ${file.replace('.bench.ts', '')}`);
  const rows = await module.default();
  for (const row of rows) {
    let verdict = '';
    if (row.target) {
      const met = row.target.comparison === '<=' ? row.value <= row.target.limit : row.value >= row.target.limit;
      verdict = `  target ${row.target.comparison} ${row.target.limit} ${row.unit}: ${met ? 'met' : 'MISSED'}`;
      if (!met) missedHere++;
    }
    const note = row.note ? `  (${row.note})` : '';
    console.log(`${row.name.padEnd(58)} ${formatValue(row.value).padStart(12)} ${row.unit}${verdict}${note}`);
  }
  return missedHere;
}

function formatValue(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
