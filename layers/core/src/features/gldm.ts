/**
 * Grey level dependence matrix (GLDM) features, PyRadiomics definitions; IBSI's neighbouring grey level
 * dependence matrix (NGLDM) with distance 1.
 *
 * A neighbour (26-neighbourhood, 8 in-plane with force2D) inside the ROI is dependent on the centre voxel when
 * their grey levels differ by at most α (`gldm_a`, default 0). P(i, j) counts ROI voxels of grey level i with
 * j − 1 dependent neighbours, so j ≥ 1. With N_z = Σ P = N_p (ROI voxels), the features are those of
 * `sizeMatrixStatistics` with j the dependence count (IBSI NGLDM 3D codes, all equal to IBSI with α = 0):
 * SmallDependenceEmphasis (SODN), LargeDependenceEmphasis (IMOQ), GrayLevelNonUniformity (FP8K),
 * DependenceNonUniformity (Z87G), DependenceNonUniformityNormalized (OKJI), GrayLevelVariance (1PFV),
 * DependenceVariance (DNX2), DependenceEntropy (FCBV), LowGrayLevelEmphasis (TL9H), HighGrayLevelEmphasis
 * (OAE7), SmallDependenceLowGrayLevelEmphasis (EQ3F), SmallDependenceHighGrayLevelEmphasis (JA6D),
 * LargeDependenceLowGrayLevelEmphasis (NBZI), LargeDependenceHighGrayLevelEmphasis (9QMG).
 */
import { neighbourhoodSummary } from './neighbourhood';
import type { TextureRegion } from './region';
import { denseToSizeMatrix, sizeMatrixStatistics, type SizeMatrix } from './size-matrix';
import type { TextureSettings } from './texture-settings';

export const GLDM_FEATURE_NAMES = [
  'DependenceEntropy',
  'DependenceNonUniformity',
  'DependenceNonUniformityNormalized',
  'DependenceVariance',
  'GrayLevelNonUniformity',
  'GrayLevelVariance',
  'HighGrayLevelEmphasis',
  'LargeDependenceEmphasis',
  'LargeDependenceHighGrayLevelEmphasis',
  'LargeDependenceLowGrayLevelEmphasis',
  'LowGrayLevelEmphasis',
  'SmallDependenceEmphasis',
  'SmallDependenceHighGrayLevelEmphasis',
  'SmallDependenceLowGrayLevelEmphasis',
] as const;

export type GldmFeatureName = (typeof GLDM_FEATURE_NAMES)[number];

export function gldmMatrix(region: TextureRegion, settings: TextureSettings): SizeMatrix {
  const { dependence, dependenceColumns } = neighbourhoodSummary(region, settings);
  return denseToSizeMatrix(dependence, region.levels, dependenceColumns);
}

/** Computes the 14 GLDM features. */
export function computeGldm(region: TextureRegion, settings: TextureSettings = {}): Record<GldmFeatureName, number> {
  const s = sizeMatrixStatistics(gldmMatrix(region, settings));
  return {
    DependenceEntropy: s.entropy,
    DependenceNonUniformity: s.sizeNonUniformity,
    DependenceNonUniformityNormalized: s.sizeNonUniformityNormalised,
    DependenceVariance: s.sizeVariance,
    GrayLevelNonUniformity: s.greyLevelNonUniformity,
    GrayLevelVariance: s.greyLevelVariance,
    HighGrayLevelEmphasis: s.highGreyLevelEmphasis,
    LargeDependenceEmphasis: s.largeEmphasis,
    LargeDependenceHighGrayLevelEmphasis: s.largeHighGreyLevelEmphasis,
    LargeDependenceLowGrayLevelEmphasis: s.largeLowGreyLevelEmphasis,
    LowGrayLevelEmphasis: s.lowGreyLevelEmphasis,
    SmallDependenceEmphasis: s.smallEmphasis,
    SmallDependenceHighGrayLevelEmphasis: s.smallHighGreyLevelEmphasis,
    SmallDependenceLowGrayLevelEmphasis: s.smallLowGreyLevelEmphasis,
  };
}
