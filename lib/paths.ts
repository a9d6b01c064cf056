import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

/** Root of the repository, resolved from this file so synthesis works from any working directory. */
export const REPOSITORY_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Folder with one sub-folder per Lambda function (`functions/<name>/index.ts`). */
export const FUNCTIONS_DIRECTORY = path.join(REPOSITORY_ROOT, 'functions');

/** Amazon States Language definition of the study workflow, shared with the local executor. */
export const STUDY_WORKFLOW_DEFINITION = path.join(FUNCTIONS_DIRECTORY, 'workflow', 'study-workflow.asl.json');

/** Amazon States Language definition of the batch re-scoring workflow. */
export const RESCORE_WORKFLOW_DEFINITION = path.join(FUNCTIONS_DIRECTORY, 'workflow', 'rescore-workflow.asl.json');

/** Built dashboard (Vite output); deployed only when it exists. */
export const WEB_DIST_DIRECTORY = path.join(REPOSITORY_ROOT, 'web', 'dist');
