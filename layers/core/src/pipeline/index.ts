// Workflow ports, state and steps: the study workflow as plain functions over the ports.
export * from './ports';
export * from './state';
export * from './context';
export * from './keys';
export * from './study-files';
export { failureFromCaught } from './steps/record-failure';
export { loadActiveModel } from './steps/score-lesions';
export { validateStudy } from './steps/validate-study';
export { prepareLesions } from './steps/prepare-lesions';
export { extractUnit } from './steps/extract-unit';
export { aggregateFeatures } from './steps/aggregate-features';
export { scoreLesions } from './steps/score-lesions';
export { publishResult } from './steps/publish-result';
export { recordFailure } from './steps/record-failure';
export { toTaskError } from './task-error';
export { WORKFLOW_TASKS, functionNameOfPlaceholder, isWorkflowFunctionName, type WorkflowFunctionName, type WorkflowTask } from './tasks';
