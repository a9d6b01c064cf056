import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

// cdk-nag 3 findings acknowledged with a reason, each next to the construct that causes it. IAM5 findings are
// acknowledged one by one: the id names the wildcard resource or action, so a new wildcard is never hidden.

/** The `<LogicalId.Arn>` form cdk-nag uses for an ARN taken from a resource of the stack. */
export function nagArnReference(construct: IConstruct): string {
  const stack = Stack.of(construct);
  const resource = construct instanceof CfnResource ? construct : (construct.node.defaultChild as CfnResource);
  return `<${stack.resolve(stack.getLogicalId(resource)) as string}.Arn>`;
}

/** Acknowledges the findings every product function carries: X-Ray's `Resource::*` and a fixed Node.js version. */
export function acknowledgeFunctionFindings(fn: lambda.Function): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'The runtime is pinned to Node.js 22, the version the core and its tests run on; raise it together with the toolchain.',
  });
  if (fn.role) {
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
  }
}

/** Acknowledges the findings of a workflow state machine role. */
export function acknowledgeStateMachineFindings(stateMachine: sfn.StateMachine, invoked: readonly lambda.IFunction[]): void {
  Validations.of(stateMachine.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery and related) support no resource-level permissions.',
  });
  for (const fn of invoked) {
    Validations.of(stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArnReference(fn)}:*]`,
      reason: 'lambda:InvokeFunction on the function and its versions/aliases (`:*`), the form CDK grants for Lambda tasks.',
    });
  }
}

/** Acknowledges findings of singletons that CDK adds at stack level (the S3 notification custom resource). */
export function acknowledgeStackSingletons(stack: Stack): void {
  const notificationsHandler = stack.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
  if (notificationsHandler) {
    Validations.of(notificationsHandler).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'CDK-provided custom resource that turns on EventBridge notifications of the uploads bucket; it runs only at deployment.',
    });
    Validations.of(notificationsHandler).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'CDK-provided custom resource: s3:PutBucketNotification is granted on * by CDK; it runs only at deployment.',
    });
  }
}
