/**
 * Neighbouring grey tone difference matrix (NGTDM) features, PyRadiomics definitions.
 *
 * For each ROI voxel of grey level i, Ā is the mean grey level of its neighbours inside the ROI (26, or 8
 * in-plane with force2D). n_i counts the voxels of level i and s_i = Σ |i − Ā| over them. A voxel without any
 * neighbour in the ROI is still counted in n_i and adds 0 to s_i; IBSI excludes such voxels, so values differ
 * from IBSI only for ROIs with isolated voxels. With N_vp = Σ n_i, p_i = n_i / N_vp and N_gp the number of
 * levels with p_i > 0, sums running over those levels and i, j the grey levels' bin numbers:
 *
 * - Coarseness = 1 / Σ p_i s_i, or 10⁶ when the sum is 0 (QCDE)
 * - Contrast = (Σ_i Σ_j p_i p_j (i−j)²) · (Σ s_i) / N_vp / (N_gp (N_gp − 1)), 0 when N_gp = 1 (65HE)
 * - Busyness = Σ p_i s_i / Σ_i Σ_j |i p_i − j p_j|, 0 when the denominator is 0 (NQ30)
 * - Complexity = Σ_i Σ_j |i − j| (p_i s_i + p_j s_j) / (p_i + p_j) / N_vp (HDEZ)
 * - Strength = Σ_i Σ_j (p_i + p_j)(i − j)² / Σ s_i, 0 when Σ s_i = 0 (1X9X)
 */
import { neighbourhoodSummary } from './neighbourhood';
import type { TextureRegion } from './region';
import type { TextureSettings } from './texture-settings';

export const NGTDM_FEATURE_NAMES = ['Busyness', 'Coarseness', 'Complexity', 'Contrast', 'Strength'] as const;

export type NgtdmFeatureName = (typeof NGTDM_FEATURE_NAMES)[number];

/** Per present grey level: voxel count n_i and summed absolute difference s_i. */
export function ngtdmMatrix(region: TextureRegion, settings: TextureSettings): { counts: Float64Array; differences: Float64Array } {
  const { voxelCounts, differences } = neighbourhoodSummary(region, settings);
  return { counts: voxelCounts, differences };
}

/** Computes the 5 NGTDM features. */
export function computeNgtdm(region: TextureRegion, settings: TextureSettings = {}): Record<NgtdmFeatureName, number> {
  const { counts, differences } = ngtdmMatrix(region, settings);
  const levels = region.levels;
  const n = levels.length;
  let validVoxels = 0;
  for (let a = 0; a < n; a++) validVoxels += counts[a];
  const p = new Float64Array(n);
  let levelsPresent = 0;
  for (let a = 0; a < n; a++) {
    p[a] = counts[a] / validVoxels;
    if (p[a] > 0) levelsPresent++;
  }

  let weightedDifference = 0;
  let differenceSum = 0;
  for (let a = 0; a < n; a++) {
    weightedDifference += p[a] * differences[a];
    differenceSum += differences[a];
  }

  let contrastSum = 0;
  let busynessDenominator = 0;
  let complexity = 0;
  let strength = 0;
  for (let a = 0; a < n; a++) {
    if (p[a] === 0) continue;
    const i = levels[a];
    for (let b = 0; b < n; b++) {
      if (p[b] === 0) continue;
      const j = levels[b];
      const squaredDistance = (i - j) * (i - j);
      contrastSum += p[a] * p[b] * squaredDistance;
      busynessDenominator += Math.abs(i * p[a] - j * p[b]);
      complexity += (Math.abs(i - j) * (p[a] * differences[a] + p[b] * differences[b])) / (p[a] + p[b]);
      strength += (p[a] + p[b]) * squaredDistance;
    }
  }

  const pairCount = levelsPresent * (levelsPresent - 1);
  return {
    Busyness: busynessDenominator === 0 ? 0 : weightedDifference / busynessDenominator,
    Coarseness: weightedDifference === 0 ? 1e6 : 1 / weightedDifference,
    Complexity: complexity / validVoxels,
    Contrast: pairCount === 0 ? 0 : (contrastSum * differenceSum) / validVoxels / pairCount,
    Strength: differenceSum === 0 ? 0 : strength / differenceSum,
  };
}
