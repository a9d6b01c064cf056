// Shape of the synthesized study and re-scoring state machines: states, Map, Retry, Catch and their wiring.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeFunctions, type FunctionName } from '../../lib/function-catalogue';
import { logicalIdOf, resolveIntrinsics, synthesizeRadiomics } from './synth';

const { stack, templateJson } = synthesizeRadiomics({ nag: false });

const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  TimeoutSeconds?: number;
  Retry?: { ErrorEquals: string[]; BackoffRate?: number; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  ItemsPath?: string;
  ItemReader?: { Parameters?: Record<string, unknown> };
  ItemProcessor?: { ProcessorConfig?: { Mode?: string }; StartAt: string; States: Record<string, State> };
}

interface Definition {
  StartAt: string;
  States: Record<string, State>;
}

/** The state machine's ASL with function ARNs as `arn:resolved:<LogicalId>` and the bucket as its logical id. */
function definitionOf(stateMachine: object): { definition: Definition; text: string } {
  const properties = templateJson.Resources[logicalIdOf(stack, stateMachine)]!.Properties!;
  // CloudFormation substitutes `${Name}` from DefinitionSubstitutions at deployment; do the same here.
  const substitutions = resolveIntrinsics(properties.DefinitionSubstitutions ?? {}) as Record<string, string>;
  let text = resolveIntrinsics(properties.DefinitionString) as string;
  for (const [name, value] of Object.entries(substitutions)) {
    text = text.split(`\${${name}}`).join(value);
  }
  return { definition: JSON.parse(text) as Definition, text };
}

/** Collects every state of a definition, inner Map states included, keyed by name. */
function allStates(states: Record<string, State>): Record<string, State> {
  const collected: Record<string, State> = {};
  for (const [name, state] of Object.entries(states)) {
    collected[name] = state;
    if (state.ItemProcessor) Object.assign(collected, allStates(state.ItemProcessor.States));
  }
  return collected;
}

function functionArn(name: FunctionName): string {
  return `arn:resolved:${logicalIdOf(stack, stack.functions.get(name))}`;
}

function invokedFunctionArns(stateMachine: { role: object }): string[] {
  const roleId = logicalIdOf(stack, stateMachine.role);
  const policy = Object.values(templateJson.Resources).find(
    (resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties!.Roles) === JSON.stringify([{ Ref: roleId }]),
  );
  const statements = resolveIntrinsics(policy!.Properties!.PolicyDocument.Statement) as { Action: string | string[]; Resource: string | string[] }[];
  return statements
    .filter((statement) => [statement.Action].flat().includes('lambda:InvokeFunction'))
    .flatMap((statement) => [statement.Resource].flat())
    .filter((resource) => !resource.endsWith(':*'))
    .sort();
}

describe('study workflow', () => {
  const { definition, text } = definitionOf(stack.studyWorkflow.stateMachine);
  const states = allStates(definition.States);
  const taskFunctions: Record<string, FunctionName> = {
    ValidateStudy: 'validate-study',
    PrepareLesions: 'prepare-lesions',
    ExtractImageType: 'extract-features',
    AggregateFeatures: 'aggregate-features',
    ScoreLesions: 'score-lesions',
    PublishResult: 'publish-result',
    RecordFailure: 'record-failure',
  };

  it('is the shared ASL file unchanged', () => {
    const properties = templateJson.Resources[logicalIdOf(stack, stack.studyWorkflow.stateMachine)]!.Properties!;
    const unresolved = JSON.parse(resolveIntrinsics(properties.DefinitionString) as string);
    const shared = JSON.parse(fs.readFileSync(stack.studyWorkflowDefinitionPath, 'utf8'));
    expect(unresolved).toEqual(shared);
  });

  it('follows validate → prepare → map → aggregate → score → publish', () => {
    expect(definition.StartAt).toBe('ValidateStudy');
    const path: string[] = [];
    let current: string | undefined = definition.StartAt;
    while (current !== undefined) {
      path.push(current);
      const state: State = definition.States[current]!;
      current = state.Next;
    }
    expect(path.slice(0, 6)).toEqual(['ValidateStudy', 'PrepareLesions', 'ExtractFeatures', 'AggregateFeatures', 'ScoreLesions', 'PublishResult']);
    expect(definition.States[path.at(-1)!]!.Type).toBe('Succeed');
  });

  it('maps over units with one ExtractImageType task each', () => {
    const map = definition.States.ExtractFeatures!;
    expect(map.Type).toBe('Map');
    expect(map.ItemsPath).toBe('$.units');
    expect(map.ItemProcessor!.StartAt).toBe('ExtractImageType');
    expect(map.ItemProcessor!.States.ExtractImageType!.Type).toBe('Task');
  });

  it('every task invokes the function of its step', () => {
    for (const [stateName, functionName] of Object.entries(taskFunctions)) {
      expect(states[stateName]?.Resource, stateName).toBe(functionArn(functionName));
    }
    expect(text).not.toContain('${');
  });

  it('every task retries transient Lambda errors with backoff', () => {
    const tasks = Object.entries(states).filter(([, state]) => state.Type === 'Task');
    expect(tasks.length).toBe(Object.keys(taskFunctions).length);
    for (const [name, state] of tasks) {
      const lambdaRetry = state.Retry?.find((retry) => LAMBDA_TRANSIENT_ERRORS.every((error) => retry.ErrorEquals.includes(error)));
      expect(lambdaRetry, `Lambda retry of ${name}`).toBeDefined();
      expect(lambdaRetry!.BackoffRate, name).toBe(2);
    }
  });

  it('every failure is caught into RecordFailure, then Fail', () => {
    for (const [name, state] of Object.entries(definition.States)) {
      if (!['Task', 'Map'].includes(state.Type) || name === 'RecordFailure') continue;
      expect(state.Catch, name).toEqual(
        expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'RecordFailure' })]),
      );
    }
    expect(definition.States[definition.States.RecordFailure!.Next!]!.Type).toBe('Fail');
  });

  it('Lambda timeouts fit inside their task timeouts', () => {
    const sizing = new Map(describeFunctions().map((description) => [description.name, description.timeoutSeconds]));
    for (const [stateName, functionName] of Object.entries(taskFunctions)) {
      const taskTimeout = states[stateName]!.TimeoutSeconds;
      if (taskTimeout === undefined) continue;
      expect(sizing.get(functionName)!, `${functionName} vs ${stateName}`).toBeLessThanOrEqual(taskTimeout);
    }
  });

  it('role invokes exactly the seven step functions', () => {
    const expected = Object.values(taskFunctions).map(functionArn).sort();
    expect(invokedFunctionArns(stack.studyWorkflow.stateMachine)).toEqual(expected);
  });

  it('logs ALL events without execution data, encrypted, and traces', () => {
    const properties = templateJson.Resources[logicalIdOf(stack, stack.studyWorkflow.stateMachine)]!.Properties!;
    expect(properties.StateMachineType).toBe('STANDARD');
    expect(properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(properties.LoggingConfiguration.Level).toBe('ALL');
    expect(properties.LoggingConfiguration.IncludeExecutionData).toBe(false);
  });
});

describe('re-scoring workflow', () => {
  const { definition, text } = definitionOf(stack.rescoring.stateMachine);
  const states = allStates(definition.States);

  it('runs a Distributed Map', () => {
    const maps = Object.values(states).filter((state) => state.Type === 'Map');
    expect(maps.some((map) => map.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED')).toBe(true);
  });

  it('tasks invoke only the re-scoring functions, with retries', () => {
    const allowed = (['rescore-plan', 'rescore-batch', 'rescore-summary'] as const).map(functionArn);
    const tasks = Object.entries(states).filter(([, state]) => state.Type === 'Task' && state.Resource?.startsWith('arn:resolved:'));
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    for (const [name, state] of tasks) {
      expect(allowed, name).toContain(state.Resource);
    }
    expect(tasks.map(([, state]) => state.Resource).sort()).toEqual(expect.arrayContaining(allowed));
    const batchTask = tasks.find(([, state]) => state.Resource === functionArn('rescore-batch'))![1];
    expect(batchTask.Retry?.some((retry) => retry.ErrorEquals.includes('Lambda.TooManyRequestsException'))).toBe(true);
    expect(text).not.toContain('${');
  });

  it('state machine may start and track its own child executions', () => {
    const properties = templateJson.Resources[logicalIdOf(stack, stack.rescoring.stateMachine)]!.Properties!;
    const name = properties.StateMachineName as string;
    expect(name).toBe(`${stack.stackName}-Rescore`);
    const roleId = logicalIdOf(stack, stack.rescoring.stateMachine.role);
    const policy = Object.values(templateJson.Resources).find(
      (resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties!.Roles) === JSON.stringify([{ Ref: roleId }]),
    )!;
    const statements = resolveIntrinsics(policy.Properties!.PolicyDocument.Statement) as { Action: string | string[]; Resource: string | string[] }[];
    const start = statements.find((statement) => [statement.Action].flat().includes('states:StartExecution'));
    expect(start?.Resource).toBe(`arn:aws:states:eu-west-1:111122223333:stateMachine:${name}`);
  });

  it('nightly schedule is configurable through context', () => {
    expect(stack.rescoring.scheduleRule).toBeDefined();
    const rule = templateJson.Resources[logicalIdOf(stack, stack.rescoring.scheduleRule)]!.Properties!;
    expect(rule.ScheduleExpression).toBe('cron(0 2 * * ? *)');
    expect(rule.Targets[0].InputTransformer.InputTemplate).toContain('"trigger":"schedule"');
  });
});

describe('schedule override', () => {
  it('context radiomics:rescoreSchedule replaces the nightly default', () => {
    const custom = synthesizeRadiomics({ nag: false, context: { 'radiomics:rescoreSchedule': 'cron(30 4 ? * SUN *)' } });
    const rule = custom.templateJson.Resources[logicalIdOf(custom.stack, custom.stack.rescoring.scheduleRule)]!.Properties!;
    expect(rule.ScheduleExpression).toBe('cron(30 4 ? * SUN *)');
  });
});
