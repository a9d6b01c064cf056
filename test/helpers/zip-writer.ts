// A minimal zip writer for tests: unlike ordinary tools it can write what a hostile archive contains
// (".." paths, links, understated sizes), so the archive reader's defences can be tested.
import { crc32 } from 'node:zlib';

import { deflateSync } from 'fflate';

export interface ZipEntrySpec {
  readonly name: string;
  readonly data?: Uint8Array | string;
  /** Store instead of deflate. */
  readonly stored?: boolean;
  /** Unix mode written into the external attributes, e.g. 0o120777 for a symbolic link. */
  readonly unixMode?: number;
  /** Inflated size written into the headers instead of the true size (zip-bomb disguise). */
  readonly declaredSize?: number;
}

export function writeZip(specs: readonly ZipEntrySpec[]): Uint8Array {
  const encoder = new TextEncoder();
  const localParts: Uint8Array[] = [];
  const centralParts: Uint8Array[] = [];
  let offset = 0;

  for (const spec of specs) {
    const name = encoder.encode(spec.name);
    const raw = typeof spec.data === 'string' ? encoder.encode(spec.data) : (spec.data ?? new Uint8Array(0));
    const body = spec.stored ? raw : deflateSync(raw);
    const method = spec.stored ? 0 : 8;
    const checksum = crc32(raw);
    const declaredSize = spec.declaredSize ?? raw.byteLength;

    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, method, true);
    local.setUint32(14, checksum, true);
    local.setUint32(18, body.byteLength, true);
    local.setUint32(22, declaredSize, true);
    local.setUint16(26, name.byteLength, true);
    localParts.push(new Uint8Array(local.buffer), name, body);

    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, spec.unixMode === undefined ? 20 : (3 << 8) | 20, true);
    central.setUint16(6, 20, true);
    central.setUint16(10, method, true);
    central.setUint32(16, checksum, true);
    central.setUint32(20, body.byteLength, true);
    central.setUint32(24, declaredSize, true);
    central.setUint16(28, name.byteLength, true);
    central.setUint32(38, ((spec.unixMode ?? 0) << 16) >>> 0, true);
    central.setUint32(42, offset, true);
    centralParts.push(new Uint8Array(central.buffer), name);

    offset += 30 + name.byteLength + body.byteLength;
  }

  const centralSize = centralParts.reduce((sum, part) => sum + part.byteLength, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, specs.length, true);
  end.setUint16(10, specs.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);

  const parts = [...localParts, ...centralParts, new Uint8Array(end.buffer)];
  const output = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let position = 0;
  for (const part of parts) {
    output.set(part, position);
    position += part.byteLength;
  }
  return output;
}
