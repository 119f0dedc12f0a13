// The few global types the package's declarations name that TypeScript's ES libraries lack (WebAssembly, URL,
// AbortSignal, Symbol.asyncDispose): a consumer compiling
// with `lib: ["es2022"]` (no DOM) and `skipLibCheck: false` has no `WebAssembly` namespace (neither @types/node nor
// the ES libraries declare it) and, before TypeScript's esnext.disposable library, no `Symbol.asyncDispose`.
// Interfaces merge: with the DOM library (or @types/node for the symbol) these add nothing. Every package entry
// imports this module, so its declarations are in any program that imports the package.

/**
 * `Symbol.asyncDispose` (Node ≥ 20.4, recent browsers), or a registered stand-in where the host lacks it, so that
 * defining `await using` support never throws or lands on a key named "undefined".
 */
export const asyncDispose: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ?? (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);

declare global {
  namespace WebAssembly {
    /** A compiled WebAssembly module (the DOM library and browsers define its members). */
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Module {}
    /** A WebAssembly memory (the DOM library and browsers define its members). */
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Memory {}
  }
  /** A URL (workerUrl): the DOM library and @types/node define its members. */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface URL {}
  /** An abort signal (CallOptions.signal): the DOM library and @types/node define its members. */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AbortSignal {}
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol;
  }
}
