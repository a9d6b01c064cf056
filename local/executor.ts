/**
 * Runs study-workflow.asl.json, the definition the CDK app deploys, with aws-local-stepfunctions. Each Task
 * resource placeholder (`${ValidateStudyFunctionArn}`, …) is substituted with a local Lambda ARN, as the CDK
 * app substitutes the deployed function ARNs, and the Task is bound to the same step code the Lambda runs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { StateMachine } from 'aws-local-stepfunctions';

import { functionNameOfPlaceholder, type WorkflowFunctionName } from '@radiomics/core/pipeline';

export const STUDY_WORKFLOW_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'functions', 'workflow', 'study-workflow.asl.json');

const LOCAL_ARN_PREFIX = 'arn:aws:lambda:local:000000000000:function:';

/** Invokes one workflow function with a Task's input and resolves to its output. */
export type TaskInvoker = (functionName: WorkflowFunctionName, input: unknown) => Promise<unknown>;

export type ExecutionOutcome =
  | { readonly status: 'SUCCEEDED'; readonly output: unknown }
  | { readonly status: 'FAILED'; readonly error: string; readonly cause: string };

interface AslState {
  Type: string;
  Resource?: string;
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
}

interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

/**
 * Loads the workflow definition with each `${<Name>FunctionArn}` placeholder replaced by a local ARN, and
 * returns the function folder that each Task state (Map item processors included) invokes.
 */
export function loadLocalDefinition(path = STUDY_WORKFLOW_PATH): { definition: AslDefinition; taskFunctions: Map<string, WorkflowFunctionName> } {
  const text = readFileSync(path, 'utf8');
  const unknownPlaceholders: string[] = [];
  const substituted = text.replace(/\$\{([A-Za-z]+)FunctionArn\}/g, (placeholder: string) => {
    const name = functionNameOfPlaceholder(placeholder);
    if (!name) unknownPlaceholders.push(placeholder);
    return `${LOCAL_ARN_PREFIX}${name ?? 'unknown'}`;
  });
  if (unknownPlaceholders.length > 0) {
    throw new Error(`The workflow definition uses placeholders with no local function: ${unknownPlaceholders.join(', ')}.`);
  }

  const definition = JSON.parse(substituted) as AslDefinition;
  const taskFunctions = new Map<string, WorkflowFunctionName>();
  const visit = (states: Record<string, AslState>): void => {
    for (const [stateName, state] of Object.entries(states)) {
      if (state.Type === 'Task' && state.Resource?.startsWith(LOCAL_ARN_PREFIX)) {
        taskFunctions.set(stateName, state.Resource.slice(LOCAL_ARN_PREFIX.length) as WorkflowFunctionName);
      }
      const nested = state.ItemProcessor ?? state.Iterator;
      if (nested) visit(nested.States);
    }
  };
  visit(definition.States);
  return { definition, taskFunctions };
}

export class LocalWorkflowExecutor {
  private readonly stateMachine: StateMachine;
  private readonly taskFunctions: Map<string, WorkflowFunctionName>;
  private readonly invoke: TaskInvoker;

  /**
   * `validate: false` skips aws-local-stepfunctions' check of the definition against the States Language, which
   * costs 0.1 to 0.4 s of a local run's start. The runner passes it for the bundled definition only, which the
   * workflow-definition test validates on every test run.
   */
  constructor(invoke: TaskInvoker, definitionPath = STUDY_WORKFLOW_PATH, options: { readonly validate?: boolean } = {}) {
    const { definition, taskFunctions } = loadLocalDefinition(definitionPath);
    this.stateMachine = new StateMachine(definition as ConstructorParameters<typeof StateMachine>[0], {
      validationOptions: { noValidate: options.validate === false },
    });
    this.taskFunctions = taskFunctions;
    this.invoke = invoke;
  }

  /** Runs one execution to its end; a failed execution resolves with its error name and cause. */
  async run(input: unknown): Promise<ExecutionOutcome> {
    const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<never>> = {};
    const retryIntervalOverrides: Record<string, number> = {};
    for (const [stateName, functionName] of this.taskFunctions) {
      taskResourceLocalHandlers[stateName] = (taskInput: unknown) => this.invoke(functionName, taskInput) as Promise<never>;
      // Local retries only meet transient file-system errors: wait 50 ms, not the cloud's seconds.
      retryIntervalOverrides[stateName] = 50;
    }

    const execution = this.stateMachine.run(input as never, {
      overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, retryIntervalOverrides },
    });
    try {
      return { status: 'SUCCEEDED', output: await execution.result };
    } catch (thrown) {
      // The library wraps the failing state's error (for a Fail state: Error and Cause) in an ExecutionError.
      const wrapper = thrown as { cause?: unknown };
      const error = (wrapper.cause instanceof Error ? wrapper.cause : thrown) as Error;
      return { status: 'FAILED', error: error.name, cause: error.message };
    }
  }
}
