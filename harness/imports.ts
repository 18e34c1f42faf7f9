// The import graph of the project's own TypeScript (relative imports, `import type` included: a type-only cycle
// is still two modules that cannot be understood apart), and its cycles. A small walk, not a package: the
// files use one import style (ES modules with explicit .ts extensions), so a regular expression reads them.
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";

const SKIP = new Set(["node_modules", ".cache", "runs", "reports", ".git", "fixtures"]);
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"|(?:^|\n)\s*import\s+"(\.{1,2}\/[^"]+)"|import\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await tsFiles(path)));
    else if (e.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** file (relative to root) → the files it imports (relative to root). */
export async function importGraph(root: string, dirs: readonly string[]): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const d of dirs) {
    for (const file of await tsFiles(join(root, d)).catch(() => [])) {
      const text = await readFile(file, "utf8");
      const deps: string[] = [];
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (spec !== undefined) deps.push(relative(root, resolve(dirname(file), spec)));
      }
      graph.set(relative(root, file), deps);
    }
  }
  return graph;
}

/** Every cycle, once each, as the files along it (the first repeated at the end). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join(" ");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}
