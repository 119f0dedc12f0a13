// Every relative link of README.md and docs/ points at a file of the repository, and a link with a #fragment at a
// heading of that file (GitHub's slugs), so moving a section cannot leave a link behind.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { docFiles } from "./support/doc-blocks.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** GitHub's anchor of a heading: lower case, punctuation but - and _ dropped, spaces to -. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a Markdown file's headings (outside code blocks). */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (m) anchors.add(slug(m[1]!));
  }
  return anchors;
}

/** Relative links `[text](target)` outside code blocks, with their line numbers. */
function linksOf(text: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  let fenced = false;
  text.split("\n").forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) return;
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (!/^[a-z]+:/i.test(target)) links.push({ line: i + 1, target });
    }
  });
  return links;
}

describe("documentation links", () => {
  it("slugs headings as GitHub does", () => {
    expect(slug("In the pool")).toBe("in-the-pool");
    expect(slug("`createPricer(options?) → Promise<Pricer>`")).toBe("createpriceroptions--promisepricer");
  });

  it("every relative link of README.md and docs/ resolves to a file and, with a #fragment, to a heading", () => {
    const broken: string[] = [];
    for (const file of docFiles(root)) {
      const text = readFileSync(join(root, file), "utf8");
      for (const { line, target } of linksOf(text)) {
        const [path, fragment] = target.split("#") as [string, string | undefined];
        const resolved = path === "" ? file : normalize(join(dirname(file), path));
        if (!existsSync(join(root, resolved))) {
          broken.push(`${file}:${line}: ${target} (no file ${resolved})`);
          continue;
        }
        if (fragment !== undefined && resolved.endsWith(".md") && !anchorsOf(readFileSync(join(root, resolved), "utf8")).has(fragment)) {
          broken.push(`${file}:${line}: ${target} (no heading #${fragment} in ${resolved})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
