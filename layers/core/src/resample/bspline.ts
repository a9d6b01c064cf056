// Cubic B-spline interpolation as ITK's BSplineDecompositionImageFilter and BSplineInterpolateImageFunction
// compute it (spline order 3, mirror boundary), from Unser's recursive prefilter:
// M. Unser, "Splines: a perfect fit for signal and image processing", IEEE Signal Processing Magazine, 1999.

/** The single pole of the cubic B-spline prefilter, z = √3 − 2. */
const POLE = Math.sqrt(3) - 2;

/** Overall gain of the cubic prefilter, (1 − z)(1 − 1/z) = 6. */
const GAIN = (1 - POLE) * (1 - 1 / POLE);

/**
 * Number of terms ITK sums for the mirror-boundary causal initialisation when the line is longer:
 * ceil(ln(1e-10) / ln|z|) = 18, from its default tolerance of 1e-10.
 */
const CAUSAL_HORIZON = Math.ceil(Math.log(1e-10) / Math.log(Math.abs(POLE)));

/**
 * Replaces `width` parallel lines by their cubic B-spline coefficients. Sample n of line w is
 * `data[offset + w + n * stride]`, so the lines of one call lie side by side in memory and every step below runs
 * over contiguous elements, which matters for the lines along y and z. Each line gets exactly the operations,
 * in the same order, that it would get alone. `fullLength` is the length of the image axis the lines belong
 * to: ITK chooses between the exact and the truncated causal initialisation by it. Lines of length 1 are left
 * unchanged, as in ITK.
 */
export function prefilterLines(data: Float64Array, offset: number, stride: number, width: number, length: number, fullLength: number): void {
  if (length === 1) return;
  if (width === 1) {
    prefilterLine(data, offset, stride, length, fullLength);
    return;
  }
  const last = offset + (length - 1) * stride;

  for (let n = 0; n < length; n++) {
    const row = offset + n * stride;
    for (let w = 0; w < width; w++) data[row + w] *= GAIN;
  }

  // Causal initialisation with mirror boundary: c⁺(0) = Σ z^|n| s(n) over the mirrored signal.
  const z = POLE;
  const sums = new Float64Array(width);
  if (CAUSAL_HORIZON < fullLength && CAUSAL_HORIZON <= length) {
    for (let w = 0; w < width; w++) sums[w] = data[offset + w];
    let zn = z;
    for (let n = 1; n < CAUSAL_HORIZON; n++) {
      const row = offset + n * stride;
      for (let w = 0; w < width; w++) sums[w] += zn * data[row + w];
      zn *= z;
    }
    for (let w = 0; w < width; w++) data[offset + w] = sums[w];
  } else {
    let zn = z;
    const iz = 1 / z;
    let z2n = Math.pow(z, length - 1);
    for (let w = 0; w < width; w++) sums[w] = data[offset + w] + z2n * data[last + w];
    z2n *= z2n * iz;
    for (let n = 1; n <= length - 2; n++) {
      const row = offset + n * stride;
      const factor = zn + z2n;
      for (let w = 0; w < width; w++) sums[w] += factor * data[row + w];
      zn *= z;
      z2n *= iz;
    }
    const denominator = 1 - zn * zn;
    for (let w = 0; w < width; w++) data[offset + w] = sums[w] / denominator;
  }

  for (let n = 1; n < length; n++) {
    const row = offset + n * stride;
    for (let w = 0; w < width; w++) data[row + w] += z * data[row - stride + w];
  }

  // Anti-causal initialisation with mirror boundary, then the anti-causal recursion.
  const anticausal = z / (z * z - 1);
  for (let w = 0; w < width; w++) data[last + w] = anticausal * (z * data[last - stride + w] + data[last + w]);
  for (let n = length - 2; n >= 0; n--) {
    const row = offset + n * stride;
    for (let w = 0; w < width; w++) data[row + w] = z * (data[row + stride + w] - data[row + w]);
  }
}

/**
 * Filters one line, sample n at `data[offset + n * stride]`, with the operations of `prefilterLines` in the same
 * order but without its per-call buffer and inner loops: the lines along x are many and short.
 */
function prefilterLine(data: Float64Array, offset: number, stride: number, length: number, fullLength: number): void {
  const last = offset + (length - 1) * stride;
  for (let n = offset; n <= last; n += stride) data[n] *= GAIN;

  const z = POLE;
  if (CAUSAL_HORIZON < fullLength && CAUSAL_HORIZON <= length) {
    let sum = data[offset];
    let zn = z;
    for (let n = 1; n < CAUSAL_HORIZON; n++) {
      sum += zn * data[offset + n * stride];
      zn *= z;
    }
    data[offset] = sum;
  } else {
    let zn = z;
    const iz = 1 / z;
    let z2n = Math.pow(z, length - 1);
    let sum = data[offset] + z2n * data[last];
    z2n *= z2n * iz;
    for (let n = 1; n <= length - 2; n++) {
      sum += (zn + z2n) * data[offset + n * stride];
      zn *= z;
      z2n *= iz;
    }
    data[offset] = sum / (1 - zn * zn);
  }

  for (let n = offset + stride; n <= last; n += stride) data[n] += z * data[n - stride];

  data[last] = (z / (z * z - 1)) * (z * data[last - stride] + data[last]);
  for (let n = last - stride; n >= offset; n -= stride) data[n] = z * (data[n + stride] - data[n]);
}

/** The four cubic B-spline weights for the samples floor(x) − 1 … floor(x) + 2 at fractional offset w. */
export function cubicWeights(w: number, out: Float64Array, offset: number): void {
  const w3 = (1 / 6) * w * w * w;
  const w0 = 1 / 6 + 0.5 * w * (w - 1) - w3;
  const w2 = w + w0 - 2 * w3;
  out[offset] = w0;
  out[offset + 1] = 1 - w0 - w2 - w3;
  out[offset + 2] = w2;
  out[offset + 3] = w3;
}

/** Mirrors an index about 0 and length − 1 (whole-sample symmetry), the boundary of ITK's B-spline functions. */
export function mirrorIndex(index: number, length: number): number {
  if (length === 1) return 0;
  let mirrored = index;
  if (mirrored < 0) mirrored = -mirrored;
  if (mirrored > length - 1) mirrored = 2 * (length - 1) - mirrored;
  // Support points lie at most two samples beyond an edge, so one reflection suffices unless length is 2.
  return Math.min(Math.max(mirrored, 0), length - 1);
}
