// `npm run bench`: runs every bench/*.bench.ts in turn and prints its figures.
//
// Speed and memory targets are checked here, never in timed tests. Each benchmark module default-exports
// an async function that returns result rows; this runner prints them with the machine they ran on.
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
const files = readdirSync(benchFolder)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => !filter || file.includes(filter))
  .sort();

console.log(`Node.js ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);

let missed = 0;
for (const file of files) {
  const module = (await import(pathToFileURL(join(benchFolder, file)).href)) as { default: Benchmark };
  console.log(`\n## ${file.replace('.bench.ts', '')}`);
  const rows = await module.default();
  for (const row of rows) {
    let verdict = '';
    if (row.target) {
      const met = row.target.comparison === '<=' ? row.value <= row.target.limit : row.value >= row.target.limit;
      verdict = `  target ${row.target.comparison} ${row.target.limit} ${row.unit}: ${met ? 'met' : 'MISSED'}`;
      if (!met) missed++;
    }
    const note = row.note ? `  (${row.note})` : '';
    console.log(`${row.name.padEnd(58)} ${formatValue(row.value).padStart(12)} ${row.unit}${verdict}${note}`);
  }
}

console.log(missed === 0 ? '\nAll targets met.' : `\n${missed} target(s) missed.`);

function formatValue(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
