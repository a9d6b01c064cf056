// The local runner's worker pool: replies, errors named by code, affinity, and workers that die.
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { WorkerPool } from '../../local/worker-pool';

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
