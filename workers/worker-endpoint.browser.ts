// Browser side of a pricing worker: the comlink endpoint is the dedicated worker's global scope.
import type { Endpoint } from "comlink";

/** The endpoint this worker serves its API on. */
export function workerEndpoint(): Endpoint {
  return globalThis as unknown as Endpoint;
}
