/**
 * The Lambda functions of the product: one folder under functions/ each, with its initial memory and timeout.
 *
 * Sizing reasoning (per invocation; Lambda gives one full vCPU at 1,769 MB and scales CPU with memory):
 * - prepare-lesions resamples the whole study with a cubic B-spline and crops every lesion, so it gets the most
 *   memory (CPU) and time;
 * - extract-features handles one lesion × image type: one wavelet sub-band of a cropped region plus its feature
 *   classes, seconds of CPU on a region of a few hundred thousand voxels;
 * - validate-study decodes every DICOM slice of the series for the de-identification audit and geometry checks;
 * - the rest read or write a few small items.
 * NOTE: these are starting values from the per-step work above; the README's figures come from the local
 * benchmarks, and the deployed values should be revised with Lambda Power Tuning on real studies.
 */
export interface FunctionSizing {
  /** Memory in MB (128 to 10,240). */
  readonly memorySize: number;
  /** Timeout in seconds (at most 900; at most 29 behind API Gateway). */
  readonly timeoutSeconds: number;
}

export interface FunctionDescription extends FunctionSizing {
  /** Folder name under functions/, also the function name suffix. */
  readonly name: FunctionName;
  /** Placeholder name used in the ASL files (`${<Name>FunctionArn}`), PascalCase of the folder. */
  readonly placeholder: string;
  readonly description: string;
}

export const STUDY_PIPELINE_FUNCTIONS = [
  'start-study',
  'validate-study',
  'prepare-lesions',
  'extract-features',
  'aggregate-features',
  'score-lesions',
  'publish-result',
  'record-failure',
] as const;

export const DASHBOARD_FUNCTIONS = [
  'results-api',
  'publish-model',
  'rescore-plan',
  'rescore-batch',
  'rescore-summary',
] as const;

export type FunctionName = (typeof STUDY_PIPELINE_FUNCTIONS)[number] | (typeof DASHBOARD_FUNCTIONS)[number];

export const ALL_FUNCTIONS: readonly FunctionName[] = [...STUDY_PIPELINE_FUNCTIONS, ...DASHBOARD_FUNCTIONS];

const DEFAULT_SIZING: Record<FunctionName, FunctionSizing & { description: string }> = {
  'start-study': { memorySize: 256, timeoutSeconds: 30, description: 'Starts one study workflow run per completed upload' },
  'validate-study': { memorySize: 1769, timeoutSeconds: 300, description: 'Validates manifest, de-identification, geometry and labels' },
  'prepare-lesions': { memorySize: 3008, timeoutSeconds: 600, description: 'Resamples the study and crops each lesion' },
  'extract-features': { memorySize: 2048, timeoutSeconds: 300, description: 'Computes the features of one lesion x image type' },
  'aggregate-features': { memorySize: 512, timeoutSeconds: 60, description: 'Aggregates the 851 features of each lesion' },
  'score-lesions': { memorySize: 512, timeoutSeconds: 60, description: 'Scores each lesion with the active model version' },
  'publish-result': { memorySize: 256, timeoutSeconds: 30, description: 'Stores the study result and publishes it on SNS' },
  'record-failure': { memorySize: 256, timeoutSeconds: 60, description: 'Marks a study FAILED, quarantines it, publishes the reason' },
  'results-api': { memorySize: 512, timeoutSeconds: 29, description: 'Results API for the coordinators dashboard' },
  'publish-model': { memorySize: 512, timeoutSeconds: 60, description: 'Registers an uploaded model version and starts re-scoring' },
  'rescore-plan': { memorySize: 1024, timeoutSeconds: 300, description: 'Lists the stored feature sets to re-score in batches' },
  'rescore-batch': { memorySize: 1024, timeoutSeconds: 300, description: 'Re-scores one batch of stored feature sets' },
  'rescore-summary': { memorySize: 256, timeoutSeconds: 60, description: 'Summarises a re-scoring run and publishes it on SNS' },
};

/** PascalCase of a kebab-case folder name: `validate-study` → `ValidateStudy`. */
export function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Describes every function, with `overrides` replacing the default sizing of the functions they name. */
export function describeFunctions(overrides: Partial<Record<FunctionName, Partial<FunctionSizing>>> = {}): FunctionDescription[] {
  return ALL_FUNCTIONS.map((name) => {
    const sizing = { ...DEFAULT_SIZING[name], ...overrides[name] };
    if (sizing.memorySize < 128 || sizing.memorySize > 10_240) {
      throw new Error(`Memory size of ${name} is ${sizing.memorySize} MB; Lambda accepts 128 to 10240 MB.`);
    }
    if (sizing.timeoutSeconds < 1 || sizing.timeoutSeconds > 900) {
      throw new Error(`Timeout of ${name} is ${sizing.timeoutSeconds} s; Lambda accepts 1 to 900 s.`);
    }
    return { name, placeholder: `${pascalCase(name)}FunctionArn`, ...sizing };
  });
}
