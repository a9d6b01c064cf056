import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { grantObjects } from './grants';
import { KEY_PREFIXES } from './storage';
import { WorkflowStateMachine } from './study-workflow';

/** Nightly at 02:00 UTC, when no coordinator is likely to be reading the dashboard. */
export const DEFAULT_RESCORE_SCHEDULE = 'cron(0 2 * * ? *)';

export interface RescoringProps {
  /** Path of the re-scoring ASL file (Distributed Map over the stored feature sets). */
  readonly definitionPath: string;

  /** Function ARN placeholders of the ASL file (`${RescorePlanFunctionArn}`, ...), from RadiomicsFunctions. */
  readonly functionArnSubstitutions: Readonly<Record<string, string>>;

  /** Functions the re-scoring Task states invoke. */
  readonly invokedFunctions: readonly lambda.IFunction[];

  /** Uploads bucket: model artifacts land under models/, and the Distributed Map may read its item list from it. */
  readonly bucket: s3.IBucket;

  /** Function that registers an uploaded model version and starts a re-scoring run. */
  readonly publishModel: lambda.IFunction;

  /** Key for the execution logs and the dead-letter queue. */
  readonly key: kms.IKey;

  /**
   * EventBridge schedule expression of the periodic re-scoring run.
   * @default nightly at 02:00 UTC (`cron(0 2 * * ? *)`)
   */
  readonly scheduleExpression?: string;

  /**
   * Removal policy of the log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Batch re-scoring: a Step Functions state machine (Distributed Map over the stored feature sets) started
 * nightly by an EventBridge schedule and by publish-model when a model artifact lands under models/.
 *
 * The Distributed Map runs its batches as child executions of the same state machine. Its role may therefore
 * start, describe and stop executions of this state machine, which is named explicitly so that the role can
 * name it without a circular reference. The role also reads the lesion lists under rescore/ for the ItemReader.
 */
export class Rescoring extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly scheduleRule: events.Rule;
  readonly modelUploadRule: events.Rule;

  constructor(scope: Construct, id: string, props: RescoringProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const stateMachineName = `${stack.stackName}-Rescore`;

    const workflow = new WorkflowStateMachine(this, 'Workflow', {
      definitionPath: props.definitionPath,
      substitutions: { ...props.functionArnSubstitutions, BucketName: props.bucket.bucketName },
      invokedFunctions: props.invokedFunctions,
      logKey: props.key,
      stateMachineName,
      removalPolicy: props.removalPolicy,
    });
    this.stateMachine = workflow.stateMachine;

    const stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // Child executions of a Distributed Map are named `<stateMachineName>/<mapRunLabel>:<executionId>`.
    const childExecutionArns = [`${stateMachineName}/*`, `${stateMachineName}:*`].map((resourceName) =>
      stack.formatArn({ service: 'states', resource: 'execution', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    );
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'StartDistributedMapChildren', actions: ['states:StartExecution'], resources: [stateMachineArn] }),
    );
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TrackDistributedMapChildren',
        actions: ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'],
        resources: childExecutionArns,
      }),
    );
    // The Distributed Map's ItemReader reads the lesion list that rescore-plan writes under rescore/.
    grantObjects(this.stateMachine, props.bucket, props.key, KEY_PREFIXES.rescore, 'read');
    for (const resourceName of [`${stateMachineName}/*`, `${stateMachineName}:*`]) {
      Validations.of(this.stateMachine.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${resourceName}]`,
        reason: 'Distributed Map child executions get run-time names under this state machine; the wildcard covers only them.',
      });
    }

    const scheduleDeadLetters = new sqs.Queue(this, 'UndeliveredRescoreEvents', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(scheduleDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the schedule and model-upload rule targets; it needs no DLQ of its own.',
    });

    this.scheduleRule = new events.Rule(this, 'NightlyRescore', {
      description: 'Re-scores every stored lesion with the active model version',
      schedule: events.Schedule.expression(props.scheduleExpression ?? DEFAULT_RESCORE_SCHEDULE),
    });
    this.scheduleRule.addTarget(
      new targets.SfnStateMachine(this.stateMachine, {
        input: events.RuleTargetInput.fromObject({ trigger: 'schedule', scheduledAt: events.EventField.time }),
        deadLetterQueue: scheduleDeadLetters,
        retryAttempts: 4,
      }),
    );

    this.modelUploadRule = new events.Rule(this, 'ModelUploaded', {
      description: 'Registers a model artifact uploaded under models/ and starts a re-scoring run',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.bucket.bucketName] },
          object: { key: [{ wildcard: `${KEY_PREFIXES.models}*.json` }] },
        },
      },
    });
    this.modelUploadRule.addTarget(
      new targets.LambdaFunction(props.publishModel, {
        deadLetterQueue: scheduleDeadLetters,
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      }),
    );
  }
}
