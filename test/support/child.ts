// Child processes for durability tests: a script written as TypeScript source that imports the project's modules
// by absolute path, bundled with esbuild, run with `node`, and (crash tests) SIGKILLed at a random moment while it
// reports what it has made durable. Protocol: the child prints one line "ack <payload>" on stdout after each thing it
// acknowledges (e.g. "ack 1234" once seq 1234 is committed); anything on stderr is kept for the failure message.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

/** The project's root (imports in child scripts are absolute paths under it). */
export const ROOT = resolve(__dirname, "../..");

/** The absolute path of a project module for a child script's import, e.g. projectModule("pool/store/index.ts"). */
export function projectModule(relative: string): string {
  return JSON.stringify(join(ROOT, relative));
}

/**
 * Bundles `source` (TypeScript, ESM, top-level await allowed) into an .mjs file and returns its path. Packages stay
 * external (better-sqlite3 is native: it cannot be bundled), so the file is written under node_modules/.cache of the
 * project, where `node` resolves them. Remove it with rmSync when done.
 */
export async function bundleScript(name: string, source: string): Promise<string> {
  const dir = join(ROOT, "node_modules", ".cache", "pool2peer-test");
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, `${name}-${process.pid}.ts`);
  const outfile = join(dir, `${name}-${process.pid}.mjs`);
  writeFileSync(entry, source);
  try {
    await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", target: "node20", outfile, packages: "external", logLevel: "silent", absWorkingDir: ROOT });
  } finally {
    rmSync(entry, { force: true });
  }
  return outfile;
}

/** What a child printed: its ack payloads in order, its stderr, and how it ended. */
export interface ChildRun {
  acks: string[];
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of runChild. */
export interface RunOptions {
  /** Extra node flags (e.g. "--expose-gc"). */
  nodeArgs?: string[];
  /**
   * SIGKILL the child once it has acknowledged `acks` times, after a further `delayMs` (a random moment inside its
   * next commits). Without it the child runs to its own end.
   */
  killAfter?: { acks: number; delayMs: number };
}

/** Runs the bundled `script` with `args`; resolves when it exits (killed or not). */
export function runChild(script: string, args: string[], options: RunOptions = {}): Promise<ChildRun> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const run: ChildRun = { acks: [], stderr: "", code: null, signal: null };
  let buffered = "";
  let armed = false;
  child.stderr.on("data", (d: Buffer) => (run.stderr += d.toString()));
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith("ack ")) run.acks.push(line.slice(4));
    }
    const kill = options.killAfter;
    if (kill && !armed && run.acks.length >= kill.acks) {
      armed = true;
      setTimeout(() => child.kill("SIGKILL"), kill.delayMs);
    }
  });
  return new Promise((done) => {
    child.on("close", (code, signal) => done({ ...run, code, signal }));
  });
}
