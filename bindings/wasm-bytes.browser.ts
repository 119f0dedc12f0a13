// Browser: both WASM builds are inlined into the bundle by esbuild's binary loader.
import simdBytes from "../build/pool2peer.simd.wasm";
import scalarBytes from "../build/pool2peer.scalar.wasm";

/** Returns the bytes of one WASM build. */
export async function wasmBytes(simd: boolean): Promise<Uint8Array<ArrayBuffer>> {
  return (simd ? simdBytes : scalarBytes) as Uint8Array<ArrayBuffer>;
}
