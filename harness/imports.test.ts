// No import cycle in the project's own code (the issue found submit → vitest/prepare → vitest/provided → submit).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { testDir } from "./testing/temp.ts";
import { findCycles, importGraph } from "./imports.ts";
import { projectRoot } from "./paths.ts";

describe("import graph", () => {
  test("harness, systems, suites and bench have no import cycle", async () => {
    const graph = await importGraph(projectRoot, ["harness", "systems", "suites", "bench"]);
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("harness/run/pipeline.ts")).toContain("harness/compose/up.ts");
    expect(findCycles(graph).map((c) => c.join(" → "))).toEqual([]);
  });

  test("finds a cycle through a type-only import and a re-export", async () => {
    const root = await testDir("imports-");
    await mkdir(join(root, "src", "a"), { recursive: true });
    await writeFile(join(root, "src", "a", "x.ts"), 'import { y } from "../y.ts";\nexport const x = y;\n');
    await writeFile(join(root, "src", "y.ts"), 'export { z as y } from "./z.ts";\n');
    await writeFile(join(root, "src", "z.ts"), 'import type { X } from "./a/x.ts";\nexport const z = 1;\n');
    await writeFile(join(root, "src", "w.ts"), 'import "./z.ts";\n');
    const cycles = findCycles(await importGraph(root, ["src"]));
    expect(cycles).toHaveLength(1);
    expect(new Set(cycles[0])).toEqual(new Set(["src/a/x.ts", "src/y.ts", "src/z.ts"]));
  });
});
