// A pricing worker the tests can crash: the real worker script (workerData.script) plus a listener for
// { testCrash: "exit" | "throw" } on the same port as the pool's tasks, so a crash order lands before the tasks
// posted after it. The product's worker has no such hook.
import { parentPort, workerData } from "node:worker_threads";

// The worker's own listener first: the port delivers nothing until a listener is attached, and a message that
// arrived before the worker's would reach this one only.
await import(workerData.script);

parentPort.on("message", (message) => {
  const mode = message?.testCrash;
  if (mode === "exit") process.exit(70);
  // A microtask runs before the next message: the task queued behind the order is lost with the worker.
  if (mode === "throw")
    queueMicrotask(() => {
      throw new Error("test: injected worker crash");
    });
});
