// Type declarations for the DICOM codec packages, which ship none.
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    decompress(buffer: ArrayBuffer, offset?: number, length?: number): ArrayBuffer;
  }
}

declare module '@cornerstonejs/codec-charls' {
  const factory: () => Promise<unknown>;
  export default factory;
}

declare module '@cornerstonejs/codec-openjpeg' {
  const factory: () => Promise<unknown>;
  export default factory;
}
