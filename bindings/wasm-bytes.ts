// Node: the WASM bytes are read from build/ next to the package (from source: ../build, from dist/: ../../build).
// The browser bundle swaps this file for wasm-bytes.browser.ts, which inlines both builds.
import { readFile } from "node:fs/promises";

const candidates = (file: string): URL[] => [
  new URL(`../build/${file}`, import.meta.url),
  new URL(`../../build/${file}`, import.meta.url),
];

/** Reads the bytes of one WASM build. */
export async function wasmBytes(simd: boolean): Promise<Uint8Array<ArrayBuffer>> {
  const file = simd ? "pool2peer.simd.wasm" : "pool2peer.scalar.wasm";
  let lastError: unknown;
  for (const url of candidates(file)) {
    try {
      const data = await readFile(url);
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength) as Uint8Array<ArrayBuffer>;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`pool2peer: cannot read ${file} (run \`npm run build\`): ${String(lastError)}`);
}
