// Code blocks of README.md and docs/**/*.md, as the documentation test runs them.
// A fence's info string is a language and tags: ```ts and ```js blocks run; ```ts quickstart runs here and in the
// packaging test's consumer project; ```ts continued runs after the blocks before it in the same file (it uses what
// they define); ```ts no-run does not run and says why in the rest of its info string or in the line before it.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface DocBlock {
  /** Path relative to the repository root, e.g. "docs/store.md". */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The first word of the info string: "ts", "js", "sh", "json", ... */
  lang: string;
  /** The remaining words of the info string. */
  tags: string[];
  /** The block's text, the fence's indentation removed. */
  code: string;
  /** The non-empty line before the fence (where a no-run block's reason may stand). */
  before: string;
}

const RUNNABLE_LANGS = new Set(["ts", "js", "typescript", "javascript"]);

/** True for a block the documentation test executes. */
export function isRunnable(block: DocBlock): boolean {
  return RUNNABLE_LANGS.has(block.lang) && !block.tags.includes("no-run");
}

/** True for a TypeScript or JavaScript block marked no-run. */
export function isNoRun(block: DocBlock): boolean {
  return RUNNABLE_LANGS.has(block.lang) && block.tags.includes("no-run");
}

/** The fenced code blocks of one Markdown text, in order. */
export function parseBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(lines[j]!)) {
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!.trimStart());
      j++;
    }
    const [lang = "", ...tags] = info.trim().split(/\s+/).filter((w) => w !== "");
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === "") k--;
    blocks.push({ file, line: i + 1, lang: lang.toLowerCase(), tags, code: body.join("\n"), before: k >= 0 ? lines[k]!.trim() : "" });
    i = j;
  }
  return blocks;
}

/** README.md and every Markdown file under docs/, relative to `root`. */
export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, "docs"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".md"))
    .map((f) => relative(root, join(root, "docs", f)))
    .sort();
  return ["README.md", ...docs];
}

/** Every block of README.md and docs/. */
export function allDocBlocks(root: string): DocBlock[] {
  return docFiles(root).flatMap((file) => parseBlocks(file, readFileSync(join(root, file), "utf8")));
}

/** The code a runnable block executes: itself, after the blocks it continues (same file, back to one not marked continued). */
export function programFor(block: DocBlock, blocks: DocBlock[]): string {
  const sameFile = blocks.filter((b) => b.file === block.file && isRunnable(b) && b.line <= block.line);
  let first = sameFile.length - 1;
  while (first > 0 && sameFile[first]!.tags.includes("continued")) first--;
  return sameFile
    .slice(first)
    .map((b) => `// ${b.file}:${b.line}\n${b.code}`)
    .join("\n");
}
