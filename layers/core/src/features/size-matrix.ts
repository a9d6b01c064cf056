/**
 * Statistics shared by the GLRLM, GLSZM and GLDM: each is a matrix P(i, j) counting runs, zones or
 * dependences of grey level i and length, size or dependence count j. With N = Σ P (number of runs, zones or
 * voxels), p = P / N, p_g(i) = Σ_j P(i,j) and p_r(j) = Σ_i P(i,j):
 *
 *   small emphasis  Σ_j p_r(j)/j² / N          large emphasis   Σ_j p_r(j)·j² / N
 *   grey-level non-uniformity  Σ_i p_g(i)² / N  (normalised: / N²)
 *   size non-uniformity        Σ_j p_r(j)² / N  (normalised: / N²)
 *   grey-level variance  Σ p(i,j)(i − μ_i)², μ_i = Σ p(i,j)·i
 *   size variance        Σ p(i,j)(j − μ_j)², μ_j = Σ p(i,j)·j
 *   entropy  −Σ p(i,j) log₂(p(i,j) + ε)
 *   low / high grey-level emphasis  Σ_i p_g(i)/i² / N,  Σ_i p_g(i)·i² / N
 *   small-low, small-high, large-low, large-high  Σ P(i,j)·{1/(i²j²), i²/j², j²/i², i²j²} / N
 *
 * i is the grey level's bin number, j starts at 1.
 */
import { scratchFloat64 } from '../scratch';
import { EPSILON } from './numeric';

/** Non-zero entries of P(i, j), ordered by level then j. */
export interface SizeMatrix {
  /** Grey level (bin number) of each entry. */
  readonly level: Float64Array;
  /** Run length, zone size or dependence count (≥ 1) of each entry. */
  readonly size: Float64Array;
  readonly count: Float64Array;
}

export interface SizeMatrixStatistics {
  readonly total: number;
  /** Σ j·P(i,j): voxels covered (times the summed direction weights for merged GLRLMs). */
  readonly coveredVoxels: number;
  readonly smallEmphasis: number;
  readonly largeEmphasis: number;
  readonly greyLevelNonUniformity: number;
  readonly greyLevelNonUniformityNormalised: number;
  readonly sizeNonUniformity: number;
  readonly sizeNonUniformityNormalised: number;
  readonly greyLevelVariance: number;
  readonly sizeVariance: number;
  readonly entropy: number;
  readonly lowGreyLevelEmphasis: number;
  readonly highGreyLevelEmphasis: number;
  readonly smallLowGreyLevelEmphasis: number;
  readonly smallHighGreyLevelEmphasis: number;
  readonly largeLowGreyLevelEmphasis: number;
  readonly largeHighGreyLevelEmphasis: number;
}

/** Converts a dense L × S matrix (row = level index, column = size − 1) to its non-zero entries. */
export function denseToSizeMatrix(dense: Float64Array | Int32Array, levels: Float64Array, columns: number): SizeMatrix {
  let nonZero = 0;
  for (let e = 0; e < dense.length; e++) if (dense[e] !== 0) nonZero++;
  const level = new Float64Array(nonZero);
  const size = new Float64Array(nonZero);
  const count = new Float64Array(nonZero);
  let next = 0;
  for (let row = 0; row < levels.length; row++) {
    for (let column = 0; column < columns; column++) {
      const value = dense[row * columns + column];
      if (value === 0) continue;
      level[next] = levels[row];
      size[next] = column + 1;
      count[next] = value;
      next++;
    }
  }
  return { level, size, count };
}

export function sizeMatrixStatistics(matrix: SizeMatrix): SizeMatrixStatistics {
  const { level, size, count } = matrix;
  const entries = count.length;

  let total = 0;
  let maxSize = 0;
  for (let e = 0; e < entries; e++) {
    total += count[e];
    if (size[e] > maxSize) maxSize = size[e];
  }

  // Marginals: p_g over grey levels (entries are grouped by level), p_r over sizes.
  const sizeMarginal = scratchFloat64('size-marginal', maxSize + 1).fill(0);
  let greyLevelNonUniformity = 0;
  let lowGreyLevel = 0;
  let highGreyLevel = 0;
  let levelSum = 0;
  let runningLevel = Number.NaN;
  const flushLevel = (): void => {
    if (Number.isNaN(runningLevel)) return;
    greyLevelNonUniformity += levelSum * levelSum;
    lowGreyLevel += levelSum / (runningLevel * runningLevel);
    highGreyLevel += levelSum * runningLevel * runningLevel;
  };
  let coveredVoxels = 0;
  let meanLevel = 0;
  let meanSize = 0;
  let entropy = 0;
  let smallLow = 0;
  let smallHigh = 0;
  let largeLow = 0;
  let largeHigh = 0;
  for (let e = 0; e < entries; e++) {
    const i = level[e];
    const j = size[e];
    const value = count[e];
    if (i !== runningLevel) {
      flushLevel();
      runningLevel = i;
      levelSum = 0;
    }
    levelSum += value;
    sizeMarginal[j] += value;
    coveredVoxels += j * value;
    const probability = value / total;
    meanLevel += probability * i;
    meanSize += probability * j;
    entropy -= probability * Math.log2(probability + EPSILON);
    const i2 = i * i;
    const j2 = j * j;
    smallLow += value / (i2 * j2);
    smallHigh += (value * i2) / j2;
    largeLow += (value * j2) / i2;
    largeHigh += value * i2 * j2;
  }
  flushLevel();

  let greyLevelVariance = 0;
  let sizeVariance = 0;
  for (let e = 0; e < entries; e++) {
    const probability = count[e] / total;
    greyLevelVariance += probability * (level[e] - meanLevel) * (level[e] - meanLevel);
    sizeVariance += probability * (size[e] - meanSize) * (size[e] - meanSize);
  }

  let smallEmphasis = 0;
  let largeEmphasis = 0;
  let sizeNonUniformity = 0;
  for (let j = 1; j <= maxSize; j++) {
    const value = sizeMarginal[j];
    if (value === 0) continue;
    smallEmphasis += value / (j * j);
    largeEmphasis += value * j * j;
    sizeNonUniformity += value * value;
  }

  return {
    total,
    coveredVoxels,
    smallEmphasis: smallEmphasis / total,
    largeEmphasis: largeEmphasis / total,
    greyLevelNonUniformity: greyLevelNonUniformity / total,
    greyLevelNonUniformityNormalised: greyLevelNonUniformity / (total * total),
    sizeNonUniformity: sizeNonUniformity / total,
    sizeNonUniformityNormalised: sizeNonUniformity / (total * total),
    greyLevelVariance,
    sizeVariance,
    entropy,
    lowGreyLevelEmphasis: lowGreyLevel / total,
    highGreyLevelEmphasis: highGreyLevel / total,
    smallLowGreyLevelEmphasis: smallLow / total,
    smallHighGreyLevelEmphasis: smallHigh / total,
    largeLowGreyLevelEmphasis: largeLow / total,
    largeHighGreyLevelEmphasis: largeHigh / total,
  };
}
