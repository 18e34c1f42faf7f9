import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { hashInputs } from "./hash.ts";

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await testDir("hash-");
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

describe("hashInputs", () => {
  test("is the same for equal trees and changes with content, names and the executable bit", async () => {
    const a = await tree({ "go.mod": "module a\n", "x/main.go": "package main\n" });
    const b = await tree({ "go.mod": "module a\n", "x/main.go": "package main\n" });
    const h = await hashInputs([{ tree: a }]);
    expect(await hashInputs([{ tree: b }])).toBe(h);

    await writeFile(join(b, "x/main.go"), "package main // changed\n");
    expect(await hashInputs([{ tree: b }])).not.toBe(h);

    const c = await tree({ "go.mod": "module a\n", "y/main.go": "package main\n" });
    expect(await hashInputs([{ tree: c }])).not.toBe(h);

    const d = await tree({ "go.mod": "module a\n", "x/main.go": "package main\n" });
    await chmod(join(d, "x/main.go"), 0o755);
    expect(await hashInputs([{ tree: d }])).not.toBe(h);
  });

  test("ignores VCS and dependency folders", async () => {
    const a = await tree({ "go.mod": "module a\n" });
    const b = await tree({ "go.mod": "module a\n", ".git/HEAD": "ref: x\n", "node_modules/m/index.js": "" });
    expect(await hashInputs([{ tree: b }])).toBe(await hashInputs([{ tree: a }]));
  });

  test("distinguishes a string from a tree and keeps order", async () => {
    expect(await hashInputs(["a", "b"])).not.toBe(await hashInputs(["b", "a"]));
    expect(await hashInputs(["ab"])).not.toBe(await hashInputs(["a", "b"]));
  });
});
