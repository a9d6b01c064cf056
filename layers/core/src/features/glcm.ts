/**
 * Grey level co-occurrence matrix (GLCM) features, PyRadiomics definitions.
 *
 * For each of the 13 directions δ of distance 1 (4 with force2D), P_δ(i, j) counts ROI voxel pairs (v, v + δ)
 * with grey levels i and j; with `symmetricalGLCM` (default) P_δ + P_δᵀ is used. Grey levels absent from the
 * ROI are dropped, but i and j keep their bin numbers in the formulas. Each direction's matrix is normalised,
 * p = P / ΣP, every feature is computed on it and the mean over the non-empty directions is reported (IBSI
 * "3D, averaged"). With `weightingNorm`, the matrices are multiplied by w_δ and summed before normalising:
 * manhattan w = exp(−(Σ|δ_d|s_d)²), euclidean w = exp(−Σ(|δ_d|s_d)²), infinity w = exp(−max(|δ_d|s_d)²),
 * no_weighting w = 1 (IBSI "3D, merged"), with s the voxel spacing.
 *
 * Notation: p_x(i) = Σ_j p(i,j), p_y(j) = Σ_i p(i,j), μ_x = Σ i·p(i,j), μ_y = Σ j·p(i,j),
 * σ_x² = Σ (i−μ_x)²·p(i,j), p_{x+y}(k) = Σ_{i+j=k} p(i,j) for k = 2 … 2N_g,
 * p_{x−y}(k) = Σ_{|i−j|=k} p(i,j) for k = 0 … N_g−1, N_g the largest bin number, ε = 2.2e−16,
 * HX, HY = −Σ p_x log₂(p_x+ε), −Σ p_y log₂(p_y+ε), HXY = −Σ p log₂(p+ε),
 * HXY1 = −Σ p(i,j) log₂(p_x(i)p_y(j)+ε), HXY2 = −Σ p_x(i)p_y(j) log₂(p_x(i)p_y(j)+ε).
 *
 * Features (IBSI code; all equal IBSI unless noted):
 * - Autocorrelation = Σ i·j·p(i,j) (QWB0)
 * - JointAverage = μ_x (60VM)
 * - ClusterProminence = Σ (i+j−μ_x−μ_y)⁴ p (AE86); ClusterShade = Σ (i+j−μ_x−μ_y)³ p (7NFM);
 *   ClusterTendency = Σ (i+j−μ_x−μ_y)² p (DG8W, equal to IBSI sum variance)
 * - Contrast = Σ (i−j)² p (ACUI)
 * - Correlation = (Σ p(i,j)(i−μ_x)(j−μ_y)) / (σ_x σ_y), 1 when σ_x σ_y = 0 (NI2N)
 * - DifferenceAverage = Σ k p_{x−y}(k) (TF7R); DifferenceEntropy = −Σ p_{x−y} log₂(p_{x−y}+ε) (NTRS);
 *   DifferenceVariance = Σ (k−DA)² p_{x−y}(k) (D3YU)
 * - JointEnergy = Σ p² (8ZQL); JointEntropy = HXY (TU9B)
 * - Imc1 = (HXY − HXY1) / max(HX, HY), 0 when max(HX, HY) = 0 (R8DG)
 * - Imc2 = √(1 − e^{−2(HXY2 − HXY)}), 0 when the radicand is negative (JN9H)
 * - Idm = Σ p_{x−y}(k)/(1+k²) (WF0Z); Idmn = Σ p_{x−y}(k)/(1+k²/N_g²) (1QCO); Id = Σ p_{x−y}(k)/(1+k) (IB1Z);
 *   Idn = Σ p_{x−y}(k)/(1+k/N_g) (NDRX); InverseVariance = Σ_{k≥1} p_{x−y}(k)/k² (E8JP)
 * - MaximumProbability = max p (GYBY)
 * - SumAverage = Σ k p_{x+y}(k) (ZGXS); SumEntropy = −Σ p_{x+y} log₂(p_{x+y}+ε) (P6QZ)
 * - SumSquares = Σ (i−μ_x)² p (UR99, IBSI joint variance)
 * - MCC = √λ₂, λ₂ the second largest eigenvalue of Q(i,j) = Σ_k p(i,k)p(j,k)/(p_x(i)p_y(k)+ε); 1 when only one
 *   grey level is present (no IBSI equivalent).
 */
import { EPSILON, nanMean } from './numeric';
import { maximalCorrelationCoefficient } from './glcm-mcc';
import { scratchFloat64 } from '../scratch';
import { neighbourhoodSummary } from './neighbourhood';
import type { TextureRegion } from './region';
import { scaledComponents, type TextureSettings } from './texture-settings';

export const GLCM_FEATURE_NAMES = [
  'Autocorrelation',
  'JointAverage',
  'ClusterProminence',
  'ClusterShade',
  'ClusterTendency',
  'Contrast',
  'Correlation',
  'DifferenceAverage',
  'DifferenceEntropy',
  'DifferenceVariance',
  'JointEnergy',
  'JointEntropy',
  'Imc1',
  'Imc2',
  'Idm',
  'Idmn',
  'Id',
  'Idn',
  'InverseVariance',
  'MaximumProbability',
  'SumEntropy',
  'SumSquares',
  'MCC',
  'SumAverage',
] as const;

export type GlcmFeatureName = (typeof GLCM_FEATURE_NAMES)[number];

/** Direction matrices of counts, L × L each (L = number of grey levels present), before any weighting. */
export function glcmMatrices(region: TextureRegion, settings: TextureSettings): { matrices: Float64Array[]; vectors: number[][] } {
  const { directions, cooccurrence } = neighbourhoodSummary(region, settings);
  const levelCount = region.levels.length;
  const symmetric = settings.symmetricalGLCM ?? true;
  const matrices = cooccurrence.map((counts) => {
    if (!symmetric) return Float64Array.from(counts);
    // P + Pᵀ: each unordered pair counts in both orders.
    const matrix = new Float64Array(counts.length);
    for (let i = 0; i < levelCount; i++) {
      for (let j = i; j < levelCount; j++) {
        const sum = counts[i * levelCount + j] + counts[j * levelCount + i];
        matrix[i * levelCount + j] = sum;
        matrix[j * levelCount + i] = sum;
      }
    }
    return matrix;
  });
  return { matrices, vectors: directions.map((direction) => [...direction.vector]) };
}

/** GLCM distance weight of one direction for the given norm. */
export function glcmWeight(norm: string, vector: readonly number[], spacing: readonly number[]): number {
  const scaled = scaledComponents(vector, spacing);
  switch (norm) {
    case 'infinity':
      return Math.exp(-(Math.max(...scaled) ** 2));
    case 'euclidean':
      return Math.exp(-(scaled[0] ** 2 + scaled[1] ** 2 + scaled[2] ** 2));
    case 'manhattan':
      return Math.exp(-((scaled[0] + scaled[1] + scaled[2]) ** 2));
    default:
      return 1;
  }
}

/** Computes the 24 GLCM features. */
export function computeGlcm(region: TextureRegion, settings: TextureSettings = {}): Record<GlcmFeatureName, number> {
  const { matrices, vectors } = glcmMatrices(region, settings);
  const levelCount = region.levels.length;
  let combined = matrices;
  if (settings.weightingNorm) {
    const merged = new Float64Array(levelCount * levelCount);
    matrices.forEach((counts, d) => {
      const weight = glcmWeight(settings.weightingNorm as string, vectors[d], region.spacing);
      for (let e = 0; e < merged.length; e++) merged[e] += counts[e] * weight;
    });
    combined = [merged];
  }

  const rows: Float64Array[] = [];
  for (const counts of combined) {
    let total = 0;
    for (let e = 0; e < counts.length; e++) total += counts[e];
    // Directions without any voxel pair are dropped before averaging; a lone matrix is kept (NaN features).
    if (total === 0 && combined.length > 1) continue;
    rows.push(glcmFeatureRow(counts, total, region.levels, region.maxBin, settings.symmetricalGLCM ?? true));
  }
  const result = {} as Record<GlcmFeatureName, number>;
  const column = new Float64Array(rows.length);
  GLCM_FEATURE_NAMES.forEach((name, f) => {
    for (let r = 0; r < rows.length; r++) column[r] = rows[r][f];
    result[name] = nanMean(column);
  });
  return result;
}

/** All 24 features of one matrix of counts, in GLCM_FEATURE_NAMES order. */
function glcmFeatureRow(counts: Float64Array, total: number, levels: Float64Array, maxBin: number, symmetric: boolean): Float64Array {
  const n = levels.length;
  // A work buffer: p is dropped when the row is done (the MCC copies what it needs).
  const p = scratchFloat64('glcm-probabilities', n * n);
  for (let e = 0; e < p.length; e++) p[e] = counts[e] / total;

  const px = new Float64Array(n);
  const py = new Float64Array(n);
  let ux = 0;
  let uy = 0;
  let maximum = 0;
  for (let a = 0; a < n; a++) {
    const i = levels[a];
    for (let b = 0; b < n; b++) {
      const value = p[a * n + b];
      px[a] += value;
      py[b] += value;
      ux += i * value;
      uy += levels[b] * value;
      if (value > maximum) maximum = value;
    }
  }

  const sumDistribution = new Float64Array(2 * maxBin - 1);
  const differenceDistribution = new Float64Array(maxBin);
  let autocorrelation = 0;
  let prominence = 0;
  let shade = 0;
  let tendency = 0;
  let contrast = 0;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  let energy = 0;
  let hxy = 0;
  let hxy1 = 0;
  let hxy2 = 0;
  // log₂(p_x(i) p_y(j) + ε) serves both HXY2 (every cell) and HXY1 (non-zero cells). A symmetric GLCM has
  // p_x = p_y to the last bit (the same terms summed in the same order), so the table is symmetric and half of
  // the logarithms, the costliest step of this function at 158 grey levels, are copies.
  const marginalLogs = scratchFloat64('glcm-marginal-logs', n * n);
  for (let a = 0; a < n; a++) {
    for (let b = symmetric ? a : 0; b < n; b++) {
      const marginalLog = Math.log2(px[a] * py[b] + EPSILON);
      marginalLogs[a * n + b] = marginalLog;
      if (symmetric) marginalLogs[b * n + a] = marginalLog;
    }
  }
  for (let a = 0; a < n; a++) {
    const i = levels[a];
    for (let b = 0; b < n; b++) {
      const j = levels[b];
      const value = p[a * n + b];
      const marginalProduct = px[a] * py[b];
      const marginalLog = marginalLogs[a * n + b];
      hxy2 -= marginalProduct * marginalLog;
      if (value === 0) continue;
      sumDistribution[i + j - 2] += value;
      differenceDistribution[Math.abs(i - j)] += value;
      autocorrelation += i * j * value;
      const cluster = i + j - ux - uy;
      const cluster2 = cluster * cluster;
      tendency += cluster2 * value;
      shade += cluster2 * cluster * value;
      prominence += cluster2 * cluster2 * value;
      contrast += (i - j) * (i - j) * value;
      covariance += value * (i - ux) * (j - uy);
      varianceX += value * (i - ux) * (i - ux);
      varianceY += value * (j - uy) * (j - uy);
      energy += value * value;
      hxy -= value * Math.log2(value + EPSILON);
      hxy1 -= value * marginalLog;
    }
  }

  let hx = 0;
  let hy = 0;
  for (let a = 0; a < n; a++) {
    hx -= px[a] * Math.log2(px[a] + EPSILON);
    hy -= py[a] * Math.log2(py[a] + EPSILON);
  }

  let differenceAverage = 0;
  let differenceEntropy = 0;
  let idm = 0;
  let idmn = 0;
  let id = 0;
  let idn = 0;
  let inverseVariance = 0;
  const maxBinSquared = maxBin * maxBin;
  for (let k = 0; k < maxBin; k++) {
    const value = differenceDistribution[k];
    differenceAverage += k * value;
    differenceEntropy -= value * Math.log2(value + EPSILON);
    idm += value / (1 + k * k);
    idmn += value / (1 + (k * k) / maxBinSquared);
    id += value / (1 + k);
    idn += value / (1 + k / maxBin);
    if (k > 0) inverseVariance += value / (k * k);
  }
  let differenceVariance = 0;
  for (let k = 0; k < maxBin; k++) {
    differenceVariance += differenceDistribution[k] * (k - differenceAverage) * (k - differenceAverage);
  }

  let sumAverage = 0;
  let sumEntropy = 0;
  for (let index = 0; index < sumDistribution.length; index++) {
    const value = sumDistribution[index];
    sumAverage += (index + 2) * value;
    sumEntropy -= value * Math.log2(value + EPSILON);
  }

  const sigmaProduct = Math.sqrt(varianceX) * Math.sqrt(varianceY);
  const correlation = sigmaProduct === 0 ? 1 : covariance / sigmaProduct;
  const hMax = Math.max(hx, hy);
  const imc1 = hMax === 0 ? 0 : (hxy - hxy1) / hMax;
  const imc2Radicand = 1 - Math.pow(Math.E, -2 * (hxy2 - hxy));
  const imc2 = imc2Radicand < 0 ? 0 : Math.sqrt(imc2Radicand);

  return Float64Array.of(
    autocorrelation,
    ux,
    prominence,
    shade,
    tendency,
    contrast,
    correlation,
    differenceAverage,
    differenceEntropy,
    differenceVariance,
    energy,
    hxy,
    imc1,
    imc2,
    idm,
    idmn,
    id,
    idn,
    inverseVariance,
    maximum,
    sumEntropy,
    varianceX,
    maximalCorrelationCoefficient(p, px, py, n, symmetric),
    sumAverage,
  );
}
