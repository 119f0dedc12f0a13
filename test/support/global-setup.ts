// Vitest global setup: the tests run the TypeScript sources, but worker threads, fleet workers and the browser pages
// run the build (dist/, build/), so build what is stale first (a no-op when fresh, as under `npm test`).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync(process.execPath, ["scripts/build.mjs", "--if-stale"], { cwd: root, stdio: "inherit" });
}
