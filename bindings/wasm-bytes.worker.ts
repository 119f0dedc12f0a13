// The browser worker bundle takes this file instead of wasm-bytes.browser.ts: a pricing worker instantiates the
// module the pool compiled and sent, and never reads WASM bytes, so the bundle leaves both builds (~340 KB) out.

/** Always rejects: WASM bytes are not bundled into the pricing worker. */
export async function wasmBytes(_simd: boolean): Promise<Uint8Array<ArrayBuffer>> {
  throw new Error("pool2peer worker: the WASM builds are not bundled into the worker; it runs the module the pool sends");
}
