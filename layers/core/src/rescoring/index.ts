// Re-scoring of stored feature sets and publication of model versions.
export * from './model-scorer';
export * from './publish';
export * from './report-figures';
export * from './rescore';
export * from './workflow-steps';
