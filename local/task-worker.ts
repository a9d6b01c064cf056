// Worker thread of the local runner: runs workflow tasks against its own connections to the local store.
import { parentPort, workerData } from 'node:worker_threads';

import { WORKFLOW_TASKS, isWorkflowFunctionName, toTaskError, type WorkflowTask } from '@radiomics/core/pipeline';

import { openLocalStore, type LocalStoreOptions } from './local-context';
import type { TaskReply, TaskRequest } from './worker-pool';

const store = openLocalStore(workerData as LocalStoreOptions);

parentPort?.on('message', (request: TaskRequest) => {
  void runTask(request).then((reply) => parentPort?.postMessage(reply));
});

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
