// Modelling: RECIST labels, the training pipeline, evaluation metrics, the model artifact and scoring.
// Generic helpers (CSV, random numbers, means) stay internal so that their names cannot clash with other areas.
export * from './artifact';
export * from './classifiers';
export * from './dataset';
export * from './group-comparison';
export * from './logistic';
export * from './metrics';
export * from './preprocessing';
export * from './split';
export * from './training';
export { chiSquareSurvival, normalCdf, normalQuantile, studentTTwoSidedP } from './statistics';
export * from './report';
export * from './recist';
export * from './evaluate';
