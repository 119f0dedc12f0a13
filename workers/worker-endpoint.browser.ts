// Browser side of a pricing worker: the comlink endpoint is the dedicated worker's global scope.
import type { Endpoint } from "comlink";

/** The endpoint this worker serves its API on. */
export function workerEndpoint(): Endpoint {
  return globalThis as unknown as Endpoint;
}

/** A browser worker cannot exit with a code: fail with an uncaught error, which the pool sees as a crash. */
export function exitAbruptly(): void {
  setTimeout(() => {
    throw new Error("pool2peer worker: abrupt exit requested");
  }, 0);
}
