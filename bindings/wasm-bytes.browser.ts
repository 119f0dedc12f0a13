// Browser: the WASM builds are inlined into the bundle by esbuild's binary loader.
import simdBytes from "../build/pool2peer.simd.wasm";
import scalarBytes from "../build/pool2peer.scalar.wasm";
import simdSharedBytes from "../build/pool2peer.simd-shared.wasm";
import scalarSharedBytes from "../build/pool2peer.scalar-shared.wasm";

/** Returns the bytes of one WASM build: SIMD or scalar, with its own memory or importing a shared one. */
export async function wasmBytes(simd: boolean, sharedMemory = false): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = sharedMemory ? (simd ? simdSharedBytes : scalarSharedBytes) : simd ? simdBytes : scalarBytes;
  return bytes as Uint8Array<ArrayBuffer>;
}
