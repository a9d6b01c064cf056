// Re-scoring of stored feature sets and publication of model versions.
export * from './publish';
export * from './rescore';
