import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Construct, type IConstruct } from 'constructs';
import { CoreLayer, type CoreLayerProps } from './core-layer';
import { Dashboard } from './dashboard';
import type { FunctionName, FunctionSizing } from './function-catalogue';
import { RadiomicsFunctions } from './functions';
import { grantObjects, grantPublish, grantTable } from './grants';
import { acknowledgeFunctionFindings, acknowledgeStackSingletons, acknowledgeStateMachineFindings } from './nag-acknowledgements';
import { RESCORE_WORKFLOW_DEFINITION, STUDY_WORKFLOW_DEFINITION } from './paths';
import { Rescoring } from './rescoring';
import { SiteUploadRoles } from './site-upload-roles';
import { KEY_PREFIXES, RadiomicsStorage } from './storage';
import { UploadTrigger, WorkflowStateMachine } from './study-workflow';

/** Largest resampled grid, in voxels, that prepare-lesions accepts (see MAX_VOXELS in the docs). */
export const DEFAULT_MAX_VOXELS = 30_000_000;

export interface RadiomicsStackProps extends StackProps {
  /** Ids of the sites that upload studies; each gets an upload role confined to `incoming/<siteId>/`. */
  readonly siteIds: readonly string[];

  /**
   * EventBridge schedule expression of the periodic re-scoring.
   * @default nightly at 02:00 UTC
   */
  readonly rescoreSchedule?: string;

  /**
   * Largest resampled grid in voxels; larger studies fail with a named error instead of running out of memory.
   * @default 30,000,000
   */
  readonly maxVoxels?: number;

  /**
   * Memory and timeout per function, replacing the catalogue's defaults.
   * @default the catalogue's sizing
   */
  readonly functionSizing?: Partial<Record<FunctionName, Partial<FunctionSizing>>>;

  /**
   * Folder of the function sources and of the workflow definitions.
   * @default functions/ of the repository
   */
  readonly functionsDirectory?: string;

  /**
   * Handler files replacing `functions/<name>/index.ts` for the functions they name.
   * @default none
   */
  readonly handlerEntries?: Partial<Record<FunctionName, string>>;

  /**
   * ASL files of the two workflows.
   * @default functions/workflow/study-workflow.asl.json and functions/workflow/rescore-workflow.asl.json
   */
  readonly studyWorkflowDefinitionPath?: string;
  readonly rescoreWorkflowDefinitionPath?: string;

  /**
   * Core layer options (entry, data folders).
   * @default the core of layers/core with params/ and models/
   */
  readonly coreLayer?: CoreLayerProps;

  /**
   * Built dashboard folder; deployed only when it exists.
   * @default web/dist
   */
  readonly webDistDirectory?: string;

  /** Optional custom domain of the dashboard with its us-east-1 ACM certificate. */
  readonly dashboardDomain?: { readonly domainName: string; readonly certificate: acm.ICertificate };

  /** Optional AWS WAF web ACL (CLOUDFRONT scope) for the dashboard distribution. */
  readonly webAclArn?: string;

  /**
   * Prefix of the Cognito managed-login domain.
   * @default `radiomics-<account id>`
   */
  readonly authDomainPrefix?: string;

  /**
   * Removal policy of the stateful resources.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The whole product on AWS: storage, the core layer and functions, the study workflow started by uploads, the
 * re-scoring workflow, the dashboard and the per-site upload roles.
 */
export class RadiomicsStack extends Stack {
  readonly storage: RadiomicsStorage;
  readonly functions: RadiomicsFunctions;
  readonly studyWorkflow: WorkflowStateMachine;
  readonly uploadTrigger: UploadTrigger;
  readonly rescoring: Rescoring;
  readonly dashboard: Dashboard;
  readonly siteUploadRoles: SiteUploadRoles;
  /** ASL file the study workflow was built from, shared with the local executor. */
  readonly studyWorkflowDefinitionPath: string;

  constructor(scope: Construct, id: string, props: RadiomicsStackProps) {
    super(scope, id, props);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.storage = new RadiomicsStorage(this, 'Storage', { removalPolicy });
    const { key, uploadsBucket: bucket, table, topic } = this.storage;

    const coreLayer = new CoreLayer(this, 'CoreLayer', props.coreLayer);
    this.functions = new RadiomicsFunctions(this, 'Functions', {
      coreLayer: coreLayer.layer,
      logKey: key,
      functionsDirectory: props.functionsDirectory,
      handlerEntries: props.handlerEntries,
      sizing: props.functionSizing,
      removalPolicy,
      environment: {
        BUCKET_NAME: bucket.bucketName,
        TABLE_NAME: table.tableName,
        TOPIC_ARN: topic.topicArn,
        MAX_VOXELS: String(props.maxVoxels ?? DEFAULT_MAX_VOXELS),
      },
    });
    const fn = (name: FunctionName) => this.functions.get(name);
    const indexes = ['gsi1', 'gsi2'];

    // Study workflow.
    const studyTasks: FunctionName[] = [
      'validate-study',
      'prepare-lesions',
      'extract-features',
      'aggregate-features',
      'score-lesions',
      'publish-result',
      'record-failure',
    ];
    this.studyWorkflowDefinitionPath = props.studyWorkflowDefinitionPath ?? STUDY_WORKFLOW_DEFINITION;
    this.studyWorkflow = new WorkflowStateMachine(this, 'StudyWorkflow', {
      definitionPath: this.studyWorkflowDefinitionPath,
      substitutions: this.functions.arnSubstitutions(),
      invokedFunctions: studyTasks.map(fn),
      logKey: key,
      removalPolicy,
    });
    fn('start-study').addEnvironment('STATE_MACHINE_ARN', this.studyWorkflow.stateMachine.stateMachineArn);
    this.studyWorkflow.stateMachine.grantStartExecution(fn('start-study'));
    this.uploadTrigger = new UploadTrigger(this, 'UploadTrigger', { bucket, starter: fn('start-study'), queueKey: key });

    // Each step reads and writes only the prefixes of its stage.
    // start-study reads only the event: the execution name comes from the object key and ETag.
    grantObjects(fn('validate-study'), bucket, key, KEY_PREFIXES.incoming, 'read');
    grantObjects(fn('validate-study'), bucket, key, KEY_PREFIXES.work, 'readWrite');
    grantTable(fn('validate-study'), table, key, indexes, true);

    grantObjects(fn('prepare-lesions'), bucket, key, KEY_PREFIXES.incoming, 'read');
    grantObjects(fn('prepare-lesions'), bucket, key, KEY_PREFIXES.work, 'readWrite');
    grantObjects(fn('prepare-lesions'), bucket, key, KEY_PREFIXES.previews, 'write');
    grantTable(fn('prepare-lesions'), table, key, indexes, true);

    grantObjects(fn('extract-features'), bucket, key, KEY_PREFIXES.work, 'readWrite');

    grantObjects(fn('aggregate-features'), bucket, key, KEY_PREFIXES.work, 'readWrite');
    grantTable(fn('aggregate-features'), table, key, indexes, true);

    grantObjects(fn('score-lesions'), bucket, key, KEY_PREFIXES.work, 'read');
    grantObjects(fn('score-lesions'), bucket, key, KEY_PREFIXES.models, 'read');
    grantTable(fn('score-lesions'), table, key, indexes, true);

    grantObjects(fn('publish-result'), bucket, key, KEY_PREFIXES.work, 'read');
    grantTable(fn('publish-result'), table, key, indexes, true);
    grantPublish(fn('publish-result'), topic, key);

    grantObjects(fn('record-failure'), bucket, key, KEY_PREFIXES.incoming, 'read');
    grantObjects(fn('record-failure'), bucket, key, KEY_PREFIXES.quarantine, 'write');
    grantTable(fn('record-failure'), table, key, indexes, true);
    grantPublish(fn('record-failure'), topic, key);

    // Re-scoring.
    const rescoreTasks: FunctionName[] = ['rescore-plan', 'rescore-batch', 'rescore-summary'];
    this.rescoring = new Rescoring(this, 'Rescoring', {
      definitionPath: props.rescoreWorkflowDefinitionPath ?? RESCORE_WORKFLOW_DEFINITION,
      functionArnSubstitutions: this.functions.arnSubstitutions(),
      invokedFunctions: rescoreTasks.map(fn),
      bucket,
      publishModel: fn('publish-model'),
      key,
      scheduleExpression: props.rescoreSchedule,
      removalPolicy,
    });
    fn('publish-model').addEnvironment('RESCORE_STATE_MACHINE_ARN', this.rescoring.stateMachine.stateMachineArn);
    this.rescoring.stateMachine.grantStartExecution(fn('publish-model'));

    // publish-model stores the artifact under its canonical key and the report figures beside it.
    grantObjects(fn('publish-model'), bucket, key, KEY_PREFIXES.models, 'readWrite');
    grantTable(fn('publish-model'), table, key, indexes, true);

    grantObjects(fn('rescore-plan'), bucket, key, KEY_PREFIXES.models, 'read');
    grantObjects(fn('rescore-plan'), bucket, key, KEY_PREFIXES.rescore, 'readWrite');
    grantTable(fn('rescore-plan'), table, key, indexes, false);

    grantObjects(fn('rescore-batch'), bucket, key, KEY_PREFIXES.models, 'read');
    grantObjects(fn('rescore-batch'), bucket, key, KEY_PREFIXES.work, 'read');
    grantTable(fn('rescore-batch'), table, key, indexes, true);

    grantObjects(fn('rescore-summary'), bucket, key, KEY_PREFIXES.rescore, 'read');
    grantTable(fn('rescore-summary'), table, key, indexes, true);
    grantPublish(fn('rescore-summary'), topic, key);

    // Dashboard.
    this.dashboard = new Dashboard(this, 'Dashboard', {
      resultsApi: fn('results-api'),
      logKey: key,
      accessLogsBucket: this.storage.accessLogsBucket,
      webDistDirectory: props.webDistDirectory,
      customDomain: props.dashboardDomain,
      webAclArn: props.webAclArn,
      authDomainPrefix: props.authDomainPrefix,
      removalPolicy,
    });
    grantTable(fn('results-api'), table, key, indexes, false);
    grantObjects(fn('results-api'), bucket, key, KEY_PREFIXES.models, 'read');
    grantObjects(fn('results-api'), bucket, key, KEY_PREFIXES.previews, 'readWrite');
    grantObjects(fn('results-api'), bucket, key, KEY_PREFIXES.work, 'read');

    // Site isolation.
    this.siteUploadRoles = new SiteUploadRoles(this, 'SiteUploadRoles', { siteIds: props.siteIds, bucket, key });

    // Findings of cdk-nag that are acknowledged with a reason, next to what causes them.
    for (const description of this.functions.descriptions) {
      acknowledgeFunctionFindings(fn(description.name));
    }
    acknowledgeStateMachineFindings(this.studyWorkflow.stateMachine, studyTasks.map(fn));
    acknowledgeStateMachineFindings(this.rescoring.stateMachine, rescoreTasks.map(fn));
    acknowledgeStackSingletons(this);

    new CfnOutput(this, 'UploadsBucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'ResultsTableName', { value: table.tableName });
    new CfnOutput(this, 'ResultsTopicArn', { value: topic.topicArn });
    new CfnOutput(this, 'StudyWorkflowArn', { value: this.studyWorkflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'RescoreWorkflowArn', { value: this.rescoring.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DashboardUrl', { value: `https://${this.dashboard.distribution.distributionDomainName}` });
    new CfnOutput(this, 'UserPoolId', { value: this.dashboard.userPool.userPoolId });
    for (const siteId of this.siteUploadRoles.siteIds) {
      new CfnOutput(this, `UploadRole-${siteId}`.replace(/[^A-Za-z0-9]/g, ''), {
        description: `Upload role of site ${siteId}`,
        value: this.siteUploadRoles.roleFor(siteId).roleArn,
      });
    }
  }
}

/** Acknowledges a nag finding on one construct; kept as a function so every call site states its reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
