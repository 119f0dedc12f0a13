// Fleet worker processes for tests (see fleet/launcher.ts): a launcher script and process helpers.
import { workerLauncher } from "../../fleet/launcher.js";

export { killWorker, startWorkerProcess, type WorkerProcess } from "../../fleet/launcher.js";

/** The launcher (a transpiled mirror of the sources under vitest) and its remover. */
export async function buildWorkerLauncher(): Promise<{ launcher: string; remove(): void }> {
  const l = await workerLauncher();
  return { launcher: l.path, remove: () => l.remove() };
}
