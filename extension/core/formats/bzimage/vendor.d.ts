// Minimal typings for untyped payload decompressors.
declare module "seek-bzip" {
  interface ByteSink {
    writeByte(b: number): void;
  }
  const Bunzip: {
    decode(input: Uint8Array, output: ByteSink, multistream?: boolean): void;
  };
  export default Bunzip;
}
