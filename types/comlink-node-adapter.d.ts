// comlink 4.4 ships node-adapter.d.ts beside node-adapter.mjs, which NodeNext resolution does not pick up.
declare module "comlink/dist/esm/node-adapter.mjs" {
  import type { Endpoint } from "comlink";

  /** The subset of a Node MessagePort / Worker that comlink's adapter uses. */
  export interface NodeEndpoint {
    postMessage(message: unknown, transfer?: readonly unknown[]): void;
    on(type: string, listener: (value: unknown) => void): void;
    off(type: string, listener: (value: unknown) => void): void;
    start?: () => void;
  }

  /** Wraps a Node MessagePort / Worker as a comlink Endpoint. */
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
