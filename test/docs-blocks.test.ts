// Every ```ts and ```js block of README.md and docs/ runs, as written, against the built package: the block is
// stripped of its types (esbuild), written inside the package folder so that `import … from "pool2peer"` and its
// subpaths resolve to dist/ through the package's own "exports" (Node's self-reference), and run by Node in an empty
// temporary folder (files a block writes land there). A block passes when it exits 0 within the time limit: one that
// throws, or leaves a worker or a socket keeping the process alive, fails. Blocks that import "pool2peer/fleet" get
// REDIS_URL, a redis-server and one `pool2peer worker` that this file starts (scripts/ensure-redis.mjs installs it).
// The blocks also type-check together against dist/*.d.ts, strict and with noUncheckedIndexedAccess as a consumer's
// project may be, so an option that was renamed fails here even where running would ignore it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { allDocBlocks, isNoRun, isRunnable, parseBlocks, programFor, type DocBlock } from "./support/doc-blocks.js";
import { startRedis, type TestRedis } from "./support/redis.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const scratch = join(root, ".docs-blocks");
const blocks = allDocBlocks(root);
const runnable = blocks.filter(isRunnable);
const BLOCK_TIMEOUT_MS = 90_000;

let fleet: Promise<{ redis: TestRedis; worker: ChildProcess }> | undefined;

/** A redis-server and one `pool2peer worker` from dist/, started once for the blocks that use the fleet. */
function startFleet(): Promise<{ redis: TestRedis; worker: ChildProcess }> {
  fleet ??= (async () => {
    const redis = await startRedis();
    const worker = spawn(process.execPath, [join(root, "dist/cli/pool2peer.js"), "worker", "--redis", redis.url, "--concurrency", "1"], {
      stdio: "ignore",
    });
    return { redis, worker };
  })();
  return fleet;
}

afterAll(async () => {
  if (fleet === undefined) return;
  const { redis, worker } = await fleet;
  worker.kill("SIGTERM");
  await new Promise((resolve) => (worker.exitCode !== null ? resolve(undefined) : worker.once("exit", resolve)));
  await redis.stop();
});

/** Runs a program (TypeScript or JavaScript) as an ES module of the package; resolves to its exit code and output. */
async function runProgram(name: string, source: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const { code: js } = await transform(source, { loader: "ts", format: "esm", target: "node20", sourcefile: name });
  mkdirSync(scratch, { recursive: true });
  const file = join(scratch, `${name.replace(/[^\w.-]+/g, "_")}.mjs`);
  writeFileSync(file, js);
  const cwd = mkdtempSync(join(tmpdir(), "pool2peer-doc-"));
  try {
    const child = spawn(process.execPath, [file], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n[docs test] still running after ${BLOCK_TIMEOUT_MS} ms (a worker, timer or socket left open?): killed`;
      child.kill("SIGKILL");
    }, BLOCK_TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    return { code, output };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}

async function runBlock(block: DocBlock): Promise<void> {
  const program = programFor(block, blocks);
  const env: Record<string, string> = {};
  if (/from\s+["']pool2peer\/fleet["']/.test(program)) env.REDIS_URL = (await startFleet()).redis.url;
  const { code, output } = await runProgram(`${block.file}-${block.line}`, program, env);
  expect(code, `${block.file}:${block.line} exited with ${code}:\n${output}\n--- program ---\n${program}`).toBe(0);
}

describe("documentation code blocks", () => {
  it("README and docs/ have runnable blocks, and every no-run block says why", () => {
    expect(runnable.length).toBeGreaterThan(10);
    for (const block of blocks.filter(isNoRun)) {
      const reason = block.tags.filter((t) => t !== "no-run").join(" ");
      // The reason: words after no-run in the fence, the line before the fence, or a first line "// no-run: why".
      const said = reason !== "" || /\brun\b/i.test(block.before) || /^\s*\/\/\s*no-run:\s*\S/.test(block.code);
      expect(said, `${block.file}:${block.line}: a no-run block needs a reason`).toBe(true);
    }
  });

  it("the runner fails a block that throws and one that never ends", async () => {
    const thrown = await runProgram("self-check-throw", 'import { createPricer } from "pool2peer";\nawait createPricer();\nthrow new Error("boom");');
    expect(thrown.code).not.toBe(0);
    expect(thrown.output).toContain("boom");
    const [parsed] = parseBlocks("x.md", "```ts\nundefinedThing.price;\n```");
    const undefinedName = await runProgram("self-check-undefined", parsed!.code);
    expect(undefinedName.output).toContain("undefinedThing is not defined");
  });

  it("type-checks every runnable block (strict, noUncheckedIndexedAccess) against the package's types", () => {
    const dir = join(scratch, "typecheck");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = runnable.map((block) => {
      const name = `${block.file}-${block.line}`.replace(/[^\w.-]+/g, "_") + ".ts";
      writeFileSync(join(dir, name), `${programFor(block, blocks)}\nexport {};\n`);
      return name;
    });
    const tsconfig = {
      compilerOptions: {
        target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], types: ["node"],
        strict: true, noUncheckedIndexedAccess: true, skipLibCheck: true, noEmit: true,
      },
      files,
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8" });
    expect(tsc.status, `${tsc.stdout}${tsc.stderr}`).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  for (const block of runnable) {
    it(`${block.file}:${block.line} (${[block.lang, ...block.tags].join(" ")})`, () => runBlock(block), BLOCK_TIMEOUT_MS + 30_000);
  }
});
