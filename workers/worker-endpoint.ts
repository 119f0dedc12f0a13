// Node side of a pricing worker: the comlink endpoint is the worker_threads parent port.
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import type { Endpoint } from "comlink";
import { parentPort } from "node:worker_threads";

/** The endpoint this worker serves its API on. */
export function workerEndpoint(): Endpoint {
  if (!parentPort) throw new Error("pool2peer: workers/worker.js must run inside a worker_threads Worker");
  return nodeEndpoint(parentPort);
}
