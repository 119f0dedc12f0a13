// pool2peer: the package entry for Node and browsers (the browser bundle swaps Node-only files for *.browser.ts).
export * from "./bindings/index.js";
export * from "./workers/index.js";
export * from "./pool/index.js";
