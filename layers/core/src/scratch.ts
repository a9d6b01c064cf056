/**
 * Work buffers that a thread reuses from one call to the next. One image type of a 1 mm lesion region needs
 * several buffers of megabytes: wavelet passes, run lengths, zone marks, a flood-fill stack, box sums.
 * Allocating them afresh for each of the nine image types kept V8's garbage collector busy and slowed parallel
 * workers down. Each named slot keeps its largest buffer. A buffer contains whatever its last user left, so a
 * caller writes every element before reading it. A slot serves one caller at a time, and no caller may keep a
 * buffer after it returns.
 */
type ScratchArray = Float64Array | Float32Array | Int32Array | Uint16Array;

const slots = new Map<string, ScratchArray>();

function scratch<T extends ScratchArray>(slot: string, length: number, make: (length: number) => T, kind: new (length: number) => T): T {
  const existing = slots.get(slot);
  if (existing instanceof kind && existing.length >= length) return existing.subarray(0, length) as T;
  const created = make(length);
  slots.set(slot, created);
  return created;
}

/** Returns a float64 work buffer of `length` elements for `slot`, with arbitrary content. */
export function scratchFloat64(slot: string, length: number): Float64Array {
  return scratch(slot, length, (size) => new Float64Array(size), Float64Array);
}

/** Returns a float32 work buffer of `length` elements for `slot`, with arbitrary content. */
export function scratchFloat32(slot: string, length: number): Float32Array {
  return scratch(slot, length, (size) => new Float32Array(size), Float32Array);
}

/** Returns an int32 work buffer of `length` elements for `slot`, with arbitrary content. */
export function scratchInt32(slot: string, length: number): Int32Array {
  return scratch(slot, length, (size) => new Int32Array(size), Int32Array);
}

/** Returns a uint16 work buffer of `length` elements for `slot`, with arbitrary content. */
export function scratchUint16(slot: string, length: number): Uint16Array {
  return scratch(slot, length, (size) => new Uint16Array(size), Uint16Array);
}
