/**
 * One level of the 1-D stationary wavelet transform along one axis of a 3-D volume, with periodic extension.
 *
 * For a filter f of even length F and a line x of length N, the output is
 *   y[o] = Σ_j f[j] · x[(o + F/2 − j) mod N],   o = 0 … N − 1,
 * which is PyWavelets' `swt` at level 1 (its periodisation convolution with step 1, output starting at
 * input index F/2).
 *
 * The terms are added in the order PyWavelets adds them, so that results agree to the last bit. That order
 * is j = 0, 1, … F − 1, except for outputs whose index i = o + F/2 runs past the end of the line (i ≥ N).
 * There, the terms that wrap to the start of the line come first, with j falling from i − N to 0, followed
 * by j = i − N + 1 … F − 1.
 *
 * Float64 work adds products as JavaScript numbers. Float32 work rounds every product and every partial sum
 * to float32, as C float arithmetic on x86-64 without fused multiply-add does; a float32 sum computed in
 * float64 and rounded once is exactly the float32 sum, because 53 ≥ 2 · 24 + 2.
 */

export type WorkArray = Float64Array | Float32Array;

/** For each output index, the filter coefficients and input indices of its terms, in summation order. */
interface TapTable {
  readonly length: number;
  readonly taps: number;
  readonly coefficient: Float64Array;
  readonly inputIndex: Int32Array;
}

function buildTapTable(filter: ArrayLike<number>, length: number): TapTable {
  const taps = filter.length;
  const half = taps >> 1;
  const coefficient = new Float64Array(length * taps);
  const inputIndex = new Int32Array(length * taps);

  const wrap = (index: number): number => ((index % length) + length) % length;

  for (let o = 0; o < length; o++) {
    const i = o + half;
    const order: number[] = [];
    if (i < length) {
      for (let j = 0; j < taps; j++) order.push(j);
    } else {
      for (let j = i - length; j >= 0; j--) order.push(j);
      for (let j = i - length + 1; j < taps; j++) order.push(j);
    }

    for (let t = 0; t < taps; t++) {
      const j = order[t];
      coefficient[o * taps + t] = filter[j];
      inputIndex[o * taps + t] = wrap(i - j);
    }
  }

  return { length, taps, coefficient, inputIndex };
}

export type Dimensions = readonly [number, number, number];

/**
 * Filters `input` (a volume of `dims`, x fastest) along `axis` with `filter` into `output`.
 * Both arrays must have the same type: it decides float64 or float32 arithmetic.
 */
export function convolveAxis(input: WorkArray, output: WorkArray, dims: Dimensions, axis: 0 | 1 | 2, filter: ArrayLike<number>): void {
  const table = buildTapTable(filter, dims[axis]);
  const float32 = input instanceof Float32Array;

  if (axis === 0) {
    if (float32) convolveLinesFloat32(input, output, dims, table);
    else convolveLinesFloat64(input, output, dims, table);
    return;
  }

  // Along y or z, whole rows (y) or planes (z) are combined at once, so the inner loop runs over contiguous
  // memory. Each output voxel still gets its terms in the table's order.
  const [nx, ny, nz] = dims;
  const blockLength = axis === 1 ? nx : nx * ny;
  const blockCount = axis === 1 ? nz : 1;
  const blockStride = axis === 1 ? nx * ny : 0;
  if (float32) convolveBlocksFloat32(input, output, table, blockLength, blockCount, blockStride);
  else convolveBlocksFloat64(input, output, table, blockLength, blockCount, blockStride);
}

function convolveLinesFloat64(input: WorkArray, output: WorkArray, dims: Dimensions, table: TapTable): void {
  const { length, taps, coefficient, inputIndex } = table;
  const lineCount = dims[1] * dims[2];
  for (let line = 0; line < lineCount; line++) {
    const base = line * length;
    for (let o = 0; o < length; o++) {
      const first = o * taps;
      let sum = 0;
      for (let t = first; t < first + taps; t++) sum += coefficient[t] * input[base + inputIndex[t]];
      output[base + o] = sum;
    }
  }
}

function convolveLinesFloat32(input: WorkArray, output: WorkArray, dims: Dimensions, table: TapTable): void {
  const { length, taps, coefficient, inputIndex } = table;
  const lineCount = dims[1] * dims[2];
  const fround = Math.fround;
  for (let line = 0; line < lineCount; line++) {
    const base = line * length;
    for (let o = 0; o < length; o++) {
      const first = o * taps;
      let sum = 0;
      for (let t = first; t < first + taps; t++) sum = fround(sum + fround(coefficient[t] * input[base + inputIndex[t]]));
      output[base + o] = sum;
    }
  }
}

/**
 * Convolution along an outer axis. The axis has `table.length` positions; position p of block b starts at
 * b · blockStride + p · blockLength and holds `blockLength` contiguous voxels.
 */
function convolveBlocksFloat64(
  input: WorkArray,
  output: WorkArray,
  table: TapTable,
  blockLength: number,
  blockCount: number,
  blockStride: number,
): void {
  const { length, taps, coefficient, inputIndex } = table;
  for (let block = 0; block < blockCount; block++) {
    const blockStart = block * blockStride;
    for (let o = 0; o < length; o++) {
      const outStart = blockStart + o * blockLength;
      const first = o * taps;

      const c0 = coefficient[first];
      const in0 = blockStart + inputIndex[first] * blockLength;
      for (let v = 0; v < blockLength; v++) output[outStart + v] = c0 * input[in0 + v];

      for (let t = first + 1; t < first + taps; t++) {
        const c = coefficient[t];
        const inStart = blockStart + inputIndex[t] * blockLength;
        for (let v = 0; v < blockLength; v++) output[outStart + v] += c * input[inStart + v];
      }
    }
  }
}

function convolveBlocksFloat32(
  input: WorkArray,
  output: WorkArray,
  table: TapTable,
  blockLength: number,
  blockCount: number,
  blockStride: number,
): void {
  const { length, taps, coefficient, inputIndex } = table;
  const fround = Math.fround;
  for (let block = 0; block < blockCount; block++) {
    const blockStart = block * blockStride;
    for (let o = 0; o < length; o++) {
      const outStart = blockStart + o * blockLength;
      const first = o * taps;

      const c0 = coefficient[first];
      const in0 = blockStart + inputIndex[first] * blockLength;
      for (let v = 0; v < blockLength; v++) output[outStart + v] = fround(c0 * input[in0 + v]);

      // The output is a Float32Array, so each store rounds the partial sum to float32.
      for (let t = first + 1; t < first + taps; t++) {
        const c = coefficient[t];
        const inStart = blockStart + inputIndex[t] * blockLength;
        for (let v = 0; v < blockLength; v++) output[outStart + v] += fround(c * input[inStart + v]);
      }
    }
  }
}
