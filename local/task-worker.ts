// Worker thread of the local runner: runs workflow tasks against its own connections to the local store.
import { parentPort, workerData } from 'node:worker_threads';

import { warmUpExtraction } from '@radiomics/core/extraction';
import { WORKFLOW_TASKS, isWorkflowFunctionName, loggerOf, toTaskError, type WorkflowTask } from '@radiomics/core/pipeline';
import { parseParams } from '@radiomics/core/settings';

import { openLocalStore, type LocalStoreOptions } from './local-context';
import type { TaskReply, TaskRequest, WorkerRequest } from './worker-pool';

const store = openLocalStore(workerData as LocalStoreOptions);

parentPort?.on('message', (request: WorkerRequest) => {
  if ('warmUp' in request) {
    parentPort?.postMessage(warmUp(request.id));
    return;
  }
  void runTask(request).then((reply) => parentPort?.postMessage(reply));
});

/** Compiles the feature code on a synthetic lesion. A failure is logged and leaves the worker usable. */
function warmUp(id: number): TaskReply {
  try {
    warmUpExtraction(parseParams(store.context.params.yaml, store.context.params.source));
    return { id, output: null };
  } catch (thrown) {
    const message = (thrown as Error).message;
    loggerOf(store.context).warn('feature warm-up failed; the worker starts cold', { params: store.context.params.source, error: message });
    return { id, error: { name: 'WARM_UP_FAILED', message } };
  }
}

async function runTask(request: TaskRequest): Promise<TaskReply> {
  try {
    if (!isWorkflowFunctionName(request.functionName)) throw new Error(`unknown workflow function ${request.functionName}`);
    const task: WorkflowTask = WORKFLOW_TASKS[request.functionName];
    const output = await task(store.context, request.input);
    return { id: request.id, output };
  } catch (thrown) {
    const error = toTaskError(thrown);
    return { id: request.id, error: { name: error.name, message: error.message } };
  }
}
