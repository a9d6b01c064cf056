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
 * to float32, as C float arithmetic on x86-64 without fused multiply-add does. A float32 sum computed in
 * float64 and rounded once is exactly the float32 sum, because 53 ≥ 2 · 24 + 2.
 *
 * Volumes are handled as blocks: a box of the (padded) grid stored with x fastest. A pass reads an input
 * block and writes an output block that covers the same range on the other two axes and the requested
 * range on the filtered axis, so only the voxels a caller needs are computed.
 */

export type WorkArray = Float64Array | Float32Array;

/** A box of the working grid: first index and number of voxels along x, y and z. */
export interface BlockRange {
  readonly start: readonly [number, number, number];
  readonly size: readonly [number, number, number];
}

export interface Block {
  readonly range: BlockRange;
  readonly data: WorkArray;
}

/** For each output position, its coefficients and its input positions (local to the input block), in summation order. */
interface TapTable {
  readonly taps: number;
  readonly coefficient: Float64Array;
  readonly inputIndex: Int32Array;
  /** 1 where the inputs are consecutive and descending in the ascending-j order, so the plain filter applies. */
  readonly contiguous: Uint8Array;
}

/**
 * Builds the tap table for `outputCount` outputs starting at `outputStart` on an axis of length `length`,
 * reading from an input block that starts at `inputStart` on that axis.
 */
function buildTapTable(filter: ArrayLike<number>, length: number, outputStart: number, outputCount: number, inputStart: number, inputCount: number): TapTable {
  const taps = filter.length;
  const half = taps >> 1;
  const coefficient = new Float64Array(outputCount * taps);
  const inputIndex = new Int32Array(outputCount * taps);
  const contiguous = new Uint8Array(outputCount);

  for (let n = 0; n < outputCount; n++) {
    const i = outputStart + n + half;
    const order: number[] = [];
    if (i < length) {
      for (let j = 0; j < taps; j++) order.push(j);
    } else {
      for (let j = i - length; j >= 0; j--) order.push(j);
      for (let j = i - length + 1; j < taps; j++) order.push(j);
    }

    let consecutive = i < length;
    for (let t = 0; t < taps; t++) {
      const j = order[t];
      const global = (((i - j) % length) + length) % length;
      const local = global - inputStart;
      if (local < 0 || local >= inputCount) {
        throw new RangeError(`Wavelet pass reads position ${global} outside its input block [${inputStart}, ${inputStart + inputCount}).`);
      }
      coefficient[n * taps + t] = filter[j];
      inputIndex[n * taps + t] = local;
      if (t > 0 && local !== inputIndex[n * taps] - t) consecutive = false;
    }
    contiguous[n] = consecutive ? 1 : 0;
  }

  return { taps, coefficient, inputIndex, contiguous };
}

/**
 * Filters `input` along `axis` (full padded length `axisLength`) with `filter`, computing the outputs in
 * `output.range`, which must equal the input range on the two other axes. Both blocks must have the same
 * array type, which selects float32 or float64 arithmetic.
 */
export function convolveAxis(input: Block, output: Block, axisLength: number, axis: 0 | 1 | 2, filter: ArrayLike<number>): void {
  const table = buildTapTable(filter, axisLength, output.range.start[axis], output.range.size[axis], input.range.start[axis], input.range.size[axis]);
  const float32 = input.data instanceof Float32Array;

  if (axis === 0) {
    if (float32) convolveLinesFloat32(input, output, table, filter);
    else convolveLinesFloat64(input, output, table, filter);
    return;
  }

  // Along y or z, each output row (a run of x) is a weighted sum of whole input rows, so the inner loop runs
  // over contiguous memory. Each voxel still gets its terms in the table's order.
  const [sx, syOut, szOut] = output.range.size;
  const syIn = input.range.size[1];
  const taps = table.taps;
  const offsets = new Int32Array(taps);
  const weights = new Float64Array(taps);

  const outerCount = axis === 1 ? szOut : syOut;
  const positionCount = axis === 1 ? syOut : szOut;
  for (let outer = 0; outer < outerCount; outer++) {
    for (let position = 0; position < positionCount; position++) {
      const first = position * taps;
      for (let t = 0; t < taps; t++) {
        const source = table.inputIndex[first + t];
        offsets[t] = sx * (axis === 1 ? source + syIn * outer : outer + syIn * source);
        weights[t] = table.coefficient[first + t];
      }
      const outOffset = sx * (axis === 1 ? position + syOut * outer : outer + syOut * position);
      if (float32) combineRowsFloat32(input.data, output.data, outOffset, offsets, weights, sx);
      else combineRowsFloat64(input.data, output.data, outOffset, offsets, weights, sx);
    }
  }
}

function convolveLinesFloat64(input: Block, output: Block, table: TapTable, filter: ArrayLike<number>): void {
  const { taps, coefficient, inputIndex, contiguous } = table;
  const inData = input.data;
  const outData = output.data;
  const inLength = input.range.size[0];
  const outLength = output.range.size[0];
  const lineCount = output.range.size[1] * output.range.size[2];

  for (let line = 0; line < lineCount; line++) {
    const inBase = line * inLength;
    const outBase = line * outLength;
    for (let o = 0; o < outLength; o++) {
      const first = o * taps;
      let sum = 0;
      if (contiguous[o] === 1) {
        const newest = inBase + inputIndex[first];
        for (let t = 0; t < taps; t++) sum += filter[t] * inData[newest - t];
      } else {
        for (let t = first; t < first + taps; t++) sum += coefficient[t] * inData[inBase + inputIndex[t]];
      }
      outData[outBase + o] = sum;
    }
  }
}

function convolveLinesFloat32(input: Block, output: Block, table: TapTable, filter: ArrayLike<number>): void {
  const { taps, coefficient, inputIndex, contiguous } = table;
  const fround = Math.fround;
  const inData = input.data;
  const outData = output.data;
  const inLength = input.range.size[0];
  const outLength = output.range.size[0];
  const lineCount = output.range.size[1] * output.range.size[2];

  for (let line = 0; line < lineCount; line++) {
    const inBase = line * inLength;
    const outBase = line * outLength;
    for (let o = 0; o < outLength; o++) {
      const first = o * taps;
      let sum = 0;
      if (contiguous[o] === 1) {
        const newest = inBase + inputIndex[first];
        for (let t = 0; t < taps; t++) sum = fround(sum + fround(filter[t] * inData[newest - t]));
      } else {
        for (let t = first; t < first + taps; t++) sum = fround(sum + fround(coefficient[t] * inData[inBase + inputIndex[t]]));
      }
      outData[outBase + o] = sum;
    }
  }
}

/**
 * out[outOffset + v] = Σ_t weights[t] · in[offsets[t] + v] for v < count, summed in t order. Three terms are
 * fused per sweep, which keeps the order and saves most loads and stores of the partial sums.
 */
function combineRowsFloat64(inData: WorkArray, outData: WorkArray, outOffset: number, offsets: Int32Array, weights: Float64Array, count: number): void {
  const taps = weights.length;
  let t = 0;
  while (t < taps) {
    const group = Math.min(3, taps - t);
    const a = offsets[t];
    const ca = weights[t];
    const b = group > 1 ? offsets[t + 1] : 0;
    const cb = group > 1 ? weights[t + 1] : 0;
    const c = group > 2 ? offsets[t + 2] : 0;
    const cc = group > 2 ? weights[t + 2] : 0;
    const start = t === 0;

    if (group === 3) {
      if (start) for (let v = 0; v < count; v++) outData[outOffset + v] = ca * inData[a + v] + cb * inData[b + v] + cc * inData[c + v];
      else for (let v = 0; v < count; v++) outData[outOffset + v] = outData[outOffset + v] + ca * inData[a + v] + cb * inData[b + v] + cc * inData[c + v];
    } else if (group === 2) {
      if (start) for (let v = 0; v < count; v++) outData[outOffset + v] = ca * inData[a + v] + cb * inData[b + v];
      else for (let v = 0; v < count; v++) outData[outOffset + v] = outData[outOffset + v] + ca * inData[a + v] + cb * inData[b + v];
    } else {
      if (start) for (let v = 0; v < count; v++) outData[outOffset + v] = ca * inData[a + v];
      else for (let v = 0; v < count; v++) outData[outOffset + v] = outData[outOffset + v] + ca * inData[a + v];
    }
    t += group;
  }
}

function combineRowsFloat32(inData: WorkArray, outData: WorkArray, outOffset: number, offsets: Int32Array, weights: Float64Array, count: number): void {
  const fround = Math.fround;
  const taps = weights.length;
  let t = 0;
  while (t < taps) {
    const group = Math.min(3, taps - t);
    const a = offsets[t];
    const ca = weights[t];
    const b = group > 1 ? offsets[t + 1] : 0;
    const cb = group > 1 ? weights[t + 1] : 0;
    const c = group > 2 ? offsets[t + 2] : 0;
    const cc = group > 2 ? weights[t + 2] : 0;
    const start = t === 0;

    // The output is a Float32Array, so the final store rounds the last partial sum to float32.
    if (group === 3) {
      if (start) {
        for (let v = 0; v < count; v++) {
          outData[outOffset + v] = fround(fround(ca * inData[a + v]) + fround(cb * inData[b + v])) + fround(cc * inData[c + v]);
        }
      } else {
        for (let v = 0; v < count; v++) {
          const partial = fround(fround(outData[outOffset + v] + fround(ca * inData[a + v])) + fround(cb * inData[b + v]));
          outData[outOffset + v] = partial + fround(cc * inData[c + v]);
        }
      }
    } else if (group === 2) {
      if (start) for (let v = 0; v < count; v++) outData[outOffset + v] = fround(ca * inData[a + v]) + fround(cb * inData[b + v]);
      else {
        for (let v = 0; v < count; v++) {
          outData[outOffset + v] = fround(outData[outOffset + v] + fround(ca * inData[a + v])) + fround(cb * inData[b + v]);
        }
      }
    } else {
      if (start) for (let v = 0; v < count; v++) outData[outOffset + v] = fround(ca * inData[a + v]);
      else for (let v = 0; v < count; v++) outData[outOffset + v] = outData[outOffset + v] + fround(ca * inData[a + v]);
    }
    t += group;
  }
}
