/**
 * A fixed pool of worker threads that run workflow tasks, so the CPU-heavy steps (DICOM decoding,
 * resampling, feature extraction) of concurrent studies use every core. Tasks queue in arrival order and go
 * to an idle worker, preferably the one named by their affinity.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

import { build, version as esbuildVersion } from 'esbuild';

import type { WorkflowFunctionName } from '@radiomics/core/pipeline';

import { PROJECT_ROOT, type LocalStoreOptions } from './local-context';

export interface TaskRequest {
  readonly id: number;
  readonly functionName: WorkflowFunctionName;
  readonly input: unknown;
}

/** Asks an idle worker to compile the feature code on a synthetic lesion (see warmUpExtraction). */
export interface WarmUpRequest {
  readonly id: number;
  readonly warmUp: true;
}

export type WorkerRequest = TaskRequest | WarmUpRequest;

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
 * leaving npm packages external. A worker then starts in about 0.25 s instead of compiling every source file
 * through tsx on its own, which takes over a second per worker. The bundle is rebuilt (about 75 ms) only when
 * the size or modification time of one of its source files differs from the record written beside it. It is
 * written under a temporary name first, so concurrent runs never load a half-written file.
 */
export async function bundleTaskWorker(): Promise<string> {
  mkdirSync(WORKER_BUNDLE_FOLDER, { recursive: true });
  const target = join(WORKER_BUNDLE_FOLDER, 'task-worker.mjs');
  const inputsRecord = join(WORKER_BUNDLE_FOLDER, 'task-worker.inputs.json');
  if (existsSync(target) && bundleInputsUnchanged(inputsRecord)) return target;

  const suffix = `${randomBytes(6).toString('hex')}.partial`;
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, 'local', 'task-worker.ts')],
    // Input paths in the metafile are then relative to the project root.
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
    outfile: `${target}.${suffix}`,
    metafile: true,
    logLevel: 'error',
  });
  renameSync(`${target}.${suffix}`, target);

  const inputs = [...Object.keys(result.metafile.inputs), 'tsconfig.json'].map((input) => {
    const path = resolve(PROJECT_ROOT, input);
    const stats = statSync(path);
    return { path, size: stats.size, modified: stats.mtimeMs };
  });
  writeFileSync(`${inputsRecord}.${suffix}`, JSON.stringify({ esbuild: esbuildVersion, inputs }));
  renameSync(`${inputsRecord}.${suffix}`, inputsRecord);
  return target;
}

interface BundleInputs {
  readonly esbuild: string;
  readonly inputs: readonly { readonly path: string; readonly size: number; readonly modified: number }[];
}

/** Returns true when the recorded build used this esbuild and every source file has its recorded size and time. */
function bundleInputsUnchanged(recordPath: string): boolean {
  try {
    const record = JSON.parse(readFileSync(recordPath, 'utf8')) as BundleInputs;
    if (record.esbuild !== esbuildVersion || record.inputs.length === 0) return false;
    return record.inputs.every((input) => {
      const stats = statSync(input.path, { throwIfNoEntry: false });
      return stats !== undefined && stats.size === input.size && stats.mtimeMs === input.modified;
    });
  } catch {
    return false;
  }
}

/**
 * Node.js options for the workers: the parent's, without the TypeScript loader (tsx's `--import` and `--require`
 * hooks) that a parent started through tsx carries. The worker runs a plain JavaScript bundle, and with the
 * loader every module it imports passes through the loader thread, which made each worker start in 0.75 s
 * instead of 0.25 s on the 2-core benchmark machine.
 */
export function workerExecArgv(parentArgv: readonly string[] = process.execArgv): string[] {
  const passedOn: string[] = [];
  for (let index = 0; index < parentArgv.length; index++) {
    const option = parentArgv[index];
    const [flag, inlineValue] = option.split(/=(.*)/s, 2);
    const loaderFlag = flag === '--import' || flag === '--require' || flag === '-r' || flag === '--loader' || flag === '--experimental-loader';
    if (!loaderFlag) {
      passedOn.push(option);
      continue;
    }
    const value = inlineValue ?? parentArgv[index + 1] ?? '';
    if (inlineValue === undefined) index++;
    if (!/[\\/]tsx[\\/]|^tsx(\/|$)/.test(value)) passedOn.push(inlineValue === undefined ? `${flag}=${value}` : option);
  }
  return passedOn;
}

export interface WorkerPoolOptions {
  /**
   * Lets a worker that has not run a task yet warm up its feature code while it is idle (default false): when
   * `warmUpIdleWorkers` is called, or when a task is queued and finds it idle. The pool then also gives the next
   * task to a warmed worker when it has the choice, so the costliest image type, queued first, does not run in a
   * cold thread.
   */
  readonly warmUp?: boolean;
}

export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, PendingTask>();
  /** Workers that have run neither a task nor their warm-up. */
  private readonly cold = new Set<Worker>();
  /** Workers running their warm-up, which counts as busy. */
  private readonly warming = new Set<Worker>();
  /** Workers whose warm-up finished. */
  private readonly warmed = new Set<Worker>();
  private readonly warmUp: boolean;
  private readonly queue: PendingTask[] = [];
  private readonly workers: Worker[] = [];
  private readonly workerByAffinity = new Map<string, Worker>();
  private nextId = 1;
  private closed = false;

  /** Starts `size` workers on the bundled worker module at `workerModule` (see bundleTaskWorker). */
  constructor(size: number, storeOptions: LocalStoreOptions, workerModule: string, options: WorkerPoolOptions = {}) {
    this.warmUp = options.warmUp ?? false;
    for (let index = 0; index < Math.max(1, size); index++) {
      const worker = new Worker(workerModule, { workerData: storeOptions, execArgv: workerExecArgv() });
      worker.on('message', (reply: TaskReply) => this.settle(worker, reply));
      worker.on('error', (error) => this.crash(worker, error));
      // A worker that exits without an error event (process.exit in a dependency) must not strand its task.
      worker.on('exit', (code) => {
        if (!this.closed) this.crash(worker, new Error(`the worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
      this.cold.add(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Starts the warm-up of every idle worker that has not run a task yet (when warm-up is on). */
  warmUpIdleWorkers(): void {
    this.dispatch();
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

  /**
   * Hands queued tasks to idle workers: the task's affinity worker when idle, else a warmed worker, else the most
   * recently idle one. With warm-up on, a worker that is still idle afterwards and has never run a task warms up.
   */
  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const task = this.queue.shift() as PendingTask;
      const preferred = task.affinity === undefined ? undefined : this.workerByAffinity.get(task.affinity);
      let index = preferred === undefined ? -1 : this.idle.indexOf(preferred);
      if (index < 0 && this.warmUp) index = this.idle.findLastIndex((candidate) => this.warmed.has(candidate));
      const worker = index >= 0 ? this.idle.splice(index, 1)[0] : (this.idle.pop() as Worker);
      if (task.affinity !== undefined) this.workerByAffinity.set(task.affinity, worker);
      // Only a worker idle since it started warms up: one that has run a task has more work coming in most runs.
      this.cold.delete(worker);
      this.running.set(worker, task);
      worker.postMessage(task.request);
    }

    if (!this.warmUp || this.closed) return;
    for (const worker of this.idle.filter((candidate) => this.cold.has(candidate))) {
      this.idle.splice(this.idle.indexOf(worker), 1);
      this.cold.delete(worker);
      this.warming.add(worker);
      const request: WarmUpRequest = { id: this.nextId++, warmUp: true };
      worker.postMessage(request);
    }
  }

  private settle(worker: Worker, reply: TaskReply): void {
    if (this.warming.delete(worker)) {
      // A failed warm-up only means the worker starts cold; it stays in service.
      if (!('error' in reply)) this.warmed.add(worker);
      this.idle.push(worker);
      this.dispatch();
      return;
    }
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
    this.warming.delete(worker);
    this.warmed.delete(worker);
    this.cold.delete(worker);
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
