// The local runner's worker pool: replies, errors named by code, affinity, and workers that die.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { WorkerPool, bundleTaskWorker, workerExecArgv } from '../../local/worker-pool';

const ECHO_WORKER = fileURLToPath(new URL('./fixtures/echo-worker.mjs', import.meta.url));
const STORE = { storeDir: '/nonexistent' };

describe('WorkerPool', () => {
  it('runs tasks and returns their output', async () => {
    const pool = new WorkerPool(2, STORE, ECHO_WORKER);
    try {
      const outputs = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.run('extract-features', { n })));
      expect(outputs.map((output) => (output as { echo: { n: number } }).echo.n)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await pool.close();
    }
  });

  it('rejects with the error code as the name', async () => {
    const pool = new WorkerPool(1, STORE, ECHO_WORKER);
    try {
      const failure = await pool.run('validate-study', { mode: 'fail' }).catch((error: unknown) => error);
      expect((failure as Error).name).toBe('EMPTY_ROI');
      expect((failure as Error).message).toBe('no voxels');
    } finally {
      await pool.close();
    }
  });

  it('sends tasks with one affinity to one worker', async () => {
    const pool = new WorkerPool(2, STORE, ECHO_WORKER);
    try {
      const first = (await pool.run('validate-study', {}, 'study-a')) as { threadId: number };
      // Two tasks free the workers in the opposite order, so the next idle worker is the other one.
      const [quick, slow] = (await Promise.all([pool.run('extract-features', { delay: 5 }), pool.run('extract-features', { delay: 80 })])) as { threadId: number }[];
      expect(quick.threadId).toBe(first.threadId);
      expect(slow.threadId).not.toBe(first.threadId);

      const second = (await pool.run('prepare-lesions', {}, 'study-a')) as { threadId: number };
      expect(second.threadId).toBe(first.threadId);
    } finally {
      await pool.close();
    }
  });

  it('prefers the warmed idle worker', async () => {
    const pool = new WorkerPool(2, STORE, ECHO_WORKER, { warmUp: true });
    try {
      // The other worker warms up while this task runs (the echo worker replies to a warm-up at once).
      const first = (await pool.run('validate-study', { delay: 60 })) as { threadId: number };
      // Without the preference the most recently idle worker, the first one, would take it.
      const second = (await pool.run('extract-features', {})) as { threadId: number };
      expect(second.threadId).not.toBe(first.threadId);
    } finally {
      await pool.close();
    }
  });

  it('sends no warm-up when warm-up is off', async () => {
    const pool = new WorkerPool(2, STORE, ECHO_WORKER);
    try {
      const first = (await pool.run('validate-study', { delay: 60 })) as { threadId: number };
      const second = (await pool.run('extract-features', {})) as { threadId: number };
      expect(second.threadId).toBe(first.threadId);
    } finally {
      await pool.close();
    }
  });

  it('fails the task of a worker that exits and keeps serving', async () => {
    const pool = new WorkerPool(2, STORE, ECHO_WORKER);
    try {
      const failure = await pool.run('extract-features', { mode: 'exit' }).catch((error: unknown) => error);
      expect((failure as Error).name).toBe('INTERNAL_ERROR');
      expect((failure as Error).message).toMatch(/exited with code 3/);
      expect(pool.size).toBe(1);
      expect(((await pool.run('extract-features', { n: 7 })) as { echo: { n: number } }).echo.n).toBe(7);
    } finally {
      await pool.close();
    }
  });
});

describe('workerExecArgv', () => {
  it('drops only the tsx loader', () => {
    const parent = [
      '--require',
      '/project/node_modules/tsx/dist/preflight.cjs',
      '--import',
      'file:///project/node_modules/tsx/dist/loader.mjs',
      '--max-old-space-size=4096',
      '--import=tsx',
      '--require',
      './instrumentation.cjs',
      '--import=./telemetry.mjs',
    ];
    expect(workerExecArgv(parent)).toEqual(['--max-old-space-size=4096', '--require=./instrumentation.cjs', '--import=./telemetry.mjs']);
  });

  it('keeps an empty option list', () => {
    expect(workerExecArgv([])).toEqual([]);
  });
});

describe('bundleTaskWorker', () => {
  it('rebuilds only after a source changed', async () => {
    const bundle = await bundleTaskWorker();
    const record = bundle.replace(/\.mjs$/, '.inputs.json');
    const built = statSync(bundle).mtimeMs;

    expect(await bundleTaskWorker()).toBe(bundle);
    expect(statSync(bundle).mtimeMs).toBe(built);

    // A recorded size that no longer matches the file is what an edited source file looks like.
    const inputs = JSON.parse(readFileSync(record, 'utf8')) as { inputs: { size: number }[] };
    expect(inputs.inputs.length).toBeGreaterThan(10);
    inputs.inputs[0].size += 1;
    writeFileSync(record, JSON.stringify(inputs));
    await bundleTaskWorker();
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(built);
  });
});
