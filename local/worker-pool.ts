/**
 * A fixed pool of worker threads that run workflow tasks, so the CPU-heavy steps (DICOM decoding,
 * resampling, feature extraction) of concurrent studies use every core. Tasks queue in arrival order and go
 * to an idle worker, preferably the one named by their affinity.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { build } from 'esbuild';

import type { WorkflowFunctionName } from '@radiomics/core/pipeline';

import { PROJECT_ROOT, type LocalStoreOptions } from './local-context';

export interface TaskRequest {
  readonly id: number;
  readonly functionName: WorkflowFunctionName;
  readonly input: unknown;
}

export type TaskReply =
  | { readonly id: number; readonly output: unknown }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

interface PendingTask {
  readonly request: TaskRequest;
  /** Tasks with the same affinity go to the same worker when it is idle (see `run`). */
  readonly affinity?: string;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

/** Bundled worker code lives inside node_modules so that its package imports resolve from the project. */
const WORKER_BUNDLE_FOLDER = join(PROJECT_ROOT, 'node_modules', '.cache', 'radiomics');

/**
 * Bundles the worker's TypeScript (the core, the steps, the local adapters) into one ES module with esbuild,
 * leaving npm packages external. A worker then starts in about 0.1 s instead of compiling every source file
 * through tsx on its own, which takes over a second per worker. The bundle is rebuilt on every run (about
 * 60 ms) and written under a temporary name first, so concurrent runs never load a half-written file.
 */
export async function bundleTaskWorker(): Promise<string> {
  mkdirSync(WORKER_BUNDLE_FOLDER, { recursive: true });
  const target = join(WORKER_BUNDLE_FOLDER, 'task-worker.mjs');
  const temporary = `${target}.${randomBytes(6).toString('hex')}.partial`;
  await build({
    entryPoints: [join(PROJECT_ROOT, 'local', 'task-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
    outfile: temporary,
    logLevel: 'error',
  });
  renameSync(temporary, target);
  return target;
}

export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, PendingTask>();
  private readonly queue: PendingTask[] = [];
  private readonly workers: Worker[] = [];
  private readonly workerByAffinity = new Map<string, Worker>();
  private nextId = 1;
  private closed = false;

  /** Starts `size` workers on the bundled worker module at `workerModule` (see bundleTaskWorker). */
  constructor(size: number, storeOptions: LocalStoreOptions, workerModule: string) {
    for (let index = 0; index < Math.max(1, size); index++) {
      const worker = new Worker(workerModule, { workerData: storeOptions });
      worker.on('message', (reply: TaskReply) => this.settle(worker, reply));
      worker.on('error', (error) => this.crash(worker, error));
      // A worker that exits without an error event (process.exit in a dependency) must not strand its task.
      worker.on('exit', (code) => {
        if (!this.closed) this.crash(worker, new Error(`the worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Queues one task. A task with an `affinity` goes to the worker that last ran a task with the same affinity
   * when that worker is idle, so a step can reuse what an earlier step of the same study kept in memory. It
   * never waits for that worker.
   */
  run(functionName: WorkflowFunctionName, input: unknown, affinity?: string): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('The worker pool is closed.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, functionName, input }, ...(affinity ? { affinity } : {}), resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const task = this.queue.shift() as PendingTask;
      const preferred = task.affinity === undefined ? undefined : this.workerByAffinity.get(task.affinity);
      const preferredIndex = preferred === undefined ? -1 : this.idle.indexOf(preferred);
      const worker = preferredIndex >= 0 ? this.idle.splice(preferredIndex, 1)[0] : (this.idle.pop() as Worker);
      if (task.affinity !== undefined) this.workerByAffinity.set(task.affinity, worker);
      this.running.set(worker, task);
      worker.postMessage(task.request);
    }
  }

  private settle(worker: Worker, reply: TaskReply): void {
    const task = this.running.get(worker);
    this.running.delete(worker);
    this.idle.push(worker);
    if (task) {
      if ('error' in reply) {
        const error = new Error(reply.error.message);
        error.name = reply.error.name;
        task.reject(error);
      } else {
        task.resolve(reply.output);
      }
    }
    this.dispatch();
  }

  private crash(worker: Worker, error: Error): void {
    // A worker that dies takes its task with it: the task fails as INTERNAL_ERROR and the worker is not reused.
    const task = this.running.get(worker);
    this.running.delete(worker);
    const index = this.workers.indexOf(worker);
    if (index < 0) return;
    this.workers.splice(index, 1);
    const idleIndex = this.idle.indexOf(worker);
    if (idleIndex >= 0) this.idle.splice(idleIndex, 1);
    // The task's failure record may never be written when every worker is gone, so the cause goes to stderr.
    process.stderr.write(`radiomics: a worker thread stopped: ${error.message}\n`);
    if (task) {
      const failure = new Error(`A worker thread stopped: ${error.message}`);
      failure.name = 'INTERNAL_ERROR';
      task.reject(failure);
    }
    if (this.workers.length === 0) {
      for (const queued of this.queue.splice(0)) {
        const failure = new Error('Every worker thread stopped.');
        failure.name = 'INTERNAL_ERROR';
        queued.reject(failure);
      }
    }
  }
}
