// `npm run demo` (scripts/serve-demo.mjs) takes its port from the command line or $PORT, and on a busy or invalid
// port exits with a line that says what to do instead of a stack trace.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../scripts/serve-demo.mjs", import.meta.url));

function runScript(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      // A server that started stays up: stop it once it has said where it listens.
      if (out.includes("Ctrl-C")) child.kill("SIGTERM");
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

async function busyPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { server, port: address.port };
}

describe("npm run demo", () => {
  it("on a busy port exits 1 naming the port and the PORT variable, without a stack trace", async () => {
    const { server, port } = await busyPort();
    try {
      const r = await runScript([], { PORT: String(port) });
      expect(r.code).toBe(1);
      expect(r.err).toContain(`port ${port} is already in use`);
      expect(r.err).toContain(`PORT=${port + 1} npm run demo`);
      expect(r.err).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      server.close();
    }
  });

  it("takes the port from $PORT and serves there", async () => {
    const { server, port } = await busyPort();
    server.close(); // a port that was free a moment ago
    const r = await runScript([], { PORT: String(port) });
    expect(r.out).toContain(`http://127.0.0.1:${port}/demo/index.html`);
  });

  it("rejects a port that is not one with exit 2 and a usage line", async () => {
    const r = await runScript(["eighty"], {});
    expect(r.code).toBe(2);
    expect(r.err).toContain('port must be an integer in [0, 65535], got "eighty"');
    expect(r.err).toContain("usage:");
  });
});
