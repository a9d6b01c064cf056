import type { DiscretisationSettings } from './discretisation';

/** How GLCM and GLRLM direction matrices are combined; PyRadiomics' `weightingNorm`. */
export type WeightingNorm = 'manhattan' | 'euclidean' | 'infinity' | 'no_weighting';

/** The PyRadiomics settings that the texture classes read. */
export interface TextureSettings extends DiscretisationSettings {
  /** Compute texture per slice: directions along `force2Ddimension` are dropped. */
  readonly force2D?: boolean;
  /** Axis excluded by force2D, numbered as PyRadiomics' (z, y, x) array: 0 = k (default), 1 = j, 2 = i. */
  readonly force2Ddimension?: number;
  /** Add the transposed GLCM to each direction's GLCM (default true). */
  readonly symmetricalGLCM?: boolean;
  /** null (default): features per direction, then averaged. Otherwise the matrices are weighted and summed. */
  readonly weightingNorm?: WeightingNorm | null;
  /** GLDM coarseness α: neighbours within α grey levels are dependent (default 0). */
  readonly gldm_a?: number;
}

export function force2DAxisOf(settings: TextureSettings): number | null {
  return settings.force2D ? (settings.force2Ddimension ?? 0) : null;
}

/** Physical length components |d|·spacing of a direction, as PyRadiomics' weighting uses them. */
export function scaledComponents(vector: readonly number[], spacing: readonly number[]): number[] {
  return [Math.abs(vector[0]) * spacing[0], Math.abs(vector[1]) * spacing[1], Math.abs(vector[2]) * spacing[2]];
}
