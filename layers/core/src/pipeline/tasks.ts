/**
 * The workflow's Task functions by Lambda function folder name. The Lambda handlers and the local executor
 * both run these, so a study takes the same code path in the cloud and on one machine.
 */
import type { PipelineContext } from './context';
import { aggregateFeatures } from './steps/aggregate-features';
import { extractUnit } from './steps/extract-unit';
import { prepareLesions } from './steps/prepare-lesions';
import { publishResult } from './steps/publish-result';
import { recordFailure } from './steps/record-failure';
import { scoreLesions } from './steps/score-lesions';
import { validateStudy } from './steps/validate-study';

// Each step narrows its own input type; the state machine is what guarantees the shape at run time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WorkflowTask = (context: PipelineContext, input: any) => Promise<unknown>;

export const WORKFLOW_TASKS = {
  'validate-study': validateStudy,
  'prepare-lesions': prepareLesions,
  'extract-features': extractUnit,
  'aggregate-features': aggregateFeatures,
  'score-lesions': scoreLesions,
  'publish-result': publishResult,
  'record-failure': recordFailure,
} as const satisfies Record<string, WorkflowTask>;

export type WorkflowFunctionName = keyof typeof WORKFLOW_TASKS;

export function isWorkflowFunctionName(value: string): value is WorkflowFunctionName {
  return Object.hasOwn(WORKFLOW_TASKS, value);
}

/** `${ValidateStudyFunctionArn}` → 'validate-study': the ASL placeholder of each function folder. */
export function functionNameOfPlaceholder(resource: string): WorkflowFunctionName | undefined {
  const match = /^\$\{([A-Za-z]+)FunctionArn\}$/.exec(resource);
  if (!match) return undefined;
  const name = match[1].replace(/[A-Z]/g, (letter, offset: number) => (offset === 0 ? '' : '-') + letter.toLowerCase());
  return isWorkflowFunctionName(name) ? name : undefined;
}
