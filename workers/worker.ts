// The pricing worker (Node worker_threads or a browser module worker): instantiates the WASM core from the
// compiled module the pool sends (no recompilation) and serves column tasks and Monte Carlo blocks via comlink.
import * as Comlink from "comlink";
import { PricingInputError } from "../bindings/errors.js";
import { runMonteCarloBlocks, type NormalizedMonteCarloSpec } from "../bindings/montecarlo.js";
import { loadWasmCore, type WasmCore } from "../bindings/wasm.js";
import { americanTask, blackScholesInBatch, blackScholesPriceTask, blackScholesTask, impliedVolTask } from "./kernels.js";
import {
  REGION_COLUMNS,
  type BatchTask,
  type ColumnReply,
  type ColumnTask,
  type Reply,
  type SharedInit,
  type TaskRegion,
  type WorkerApi,
} from "./protocol.js";
import { workerEndpoint } from "./worker-endpoint.js";

let core: WasmCore | undefined;
/** Instances of the build in the memories of the pool's zero-copy batches, by batch id. */
const batches = new Map<number, Promise<WasmCore>>();

function requireCore(): WasmCore {
  if (!core) throw new Error("pool2peer worker: init() was not called");
  return core;
}

/** Runs `work`, turning a PricingInputError into a reply the pool rebuilds as the same class. */
function reply<T>(work: () => T, transfer: (value: T) => Transferable[]): Reply<T> {
  try {
    const value = work();
    return Comlink.transfer({ ok: true, value }, transfer(value));
  } catch (error) {
    if (error instanceof PricingInputError) {
      return { ok: false, inputError: { field: error.field, index: error.index, message: error.message } };
    }
    throw error;
  }
}

const buffers = (value: ColumnReply): Transferable[] => (value.output ? [value.output] : []);

const api: WorkerApi = {
  async init(module: WebAssembly.Module, shared?: SharedInit) {
    core = await loadWasmCore({ module, memory: shared?.memory });
    const regions: TaskRegion[] = [];
    for (let k = 0; k < (shared?.regions ?? 0); k++) {
      const capacity = shared!.capacity;
      regions.push({ pointer: core.claim(capacity * REGION_COLUMNS * 8), capacity });
    }
    return { simd: core.simd, regions };
  },
  blackScholes(task: ColumnTask) {
    return reply(() => blackScholesTask(requireCore(), task), buffers);
  },
  blackScholesPrice(task: ColumnTask) {
    return reply(() => blackScholesPriceTask(requireCore(), task), buffers);
  },
  impliedVol(task: ColumnTask) {
    return reply(() => impliedVolTask(requireCore(), task), buffers);
  },
  american(task: ColumnTask) {
    return reply(() => americanTask(requireCore(), task), buffers);
  },
  monteCarloBlocks(spec: NormalizedMonteCarloSpec, firstBlock: number, blockCount: number) {
    return reply(
      () => runMonteCarloBlocks(requireCore(), spec, firstBlock, blockCount),
      (blocks) => [blocks.buffer as ArrayBuffer],
    );
  },
  attachBatch(id: number, memory: WebAssembly.Memory) {
    let instance = batches.get(id);
    if (!instance) {
      // The memory is in use already (the calling thread's instance laid the batch out in it, other workers may be
      // pricing it): instantiating rewrites only the build's static data, with the same bytes, and this instance
      // gets a work area of its own per task, so it touches nothing another instance uses.
      instance = loadWasmCore({ module: requireCore().module, memory });
      batches.set(id, instance);
      instance.catch(() => batches.delete(id));
    }
    return instance.then(() => undefined);
  },
  detachBatch(id: number) {
    batches.delete(id);
  },
  async blackScholesInBatch(task: BatchTask) {
    const instance = await batches.get(task.id);
    if (!instance) throw new Error(`pool2peer worker: batch ${task.id} is not attached`);
    return reply(() => blackScholesInBatch(instance, task), () => []);
  },
};

Comlink.expose(api, workerEndpoint());
