// The build stage against the real Go toolchain, on a small workspace of two modules made here.
import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { logger } from "../log.ts";
import { defineSystem } from "../system.ts";
import { build } from "./index.ts";
import { GoBuildError } from "./go.ts";

async function project(): Promise<string> {
  const root = await testDir("build-");
  const files: Record<string, string> = {
    "lib/go.mod": "module example.local/lib\n\ngo 1.24\n",
    "lib/lib.go": "package lib\n\nfunc Answer() int { return 42 }\n",
    "app/go.mod": "module example.local/app\n\ngo 1.24\n\nrequire example.local/lib v0.0.0\n",
    "app/main.go": 'package main\n\nimport (\n\t"fmt"\n\n\t"example.local/lib"\n)\n\nfunc main() { fmt.Println(lib.Answer()) }\n',
    "app/main_test.go": 'package main\n\nimport "testing"\n\nfunc TestAnswer(t *testing.T) {}\n',
    "assets/docker-compose.yaml": "services: {}\n",
    "assets/Dockerfile.x": "FROM scratch\n",
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

function system(root: string) {
  return defineSystem(
    {
      name: "app",
      modules: [
        { name: "lib", dir: "lib" },
        { name: "app", dir: "app" },
      ],
      binaries: [
        { name: "app", package: "./app" },
        { name: "app.test", package: "./app", kind: "test" },
      ],
      assets: "assets",
      images: [{ name: "x", dockerfile: "Dockerfile.x", ref: "x:y" }],
      template: "app",
      tracesVolume: "traces",
      checks: () => [],
    },
    root,
  );
}

describe("build stage", () => {
  test("builds every binary in a workspace of the listed modules, then rebuilds nothing while no input changes", async () => {
    const root = await project();
    const cache = join(root, ".cache");
    const lines: string[] = [];
    const log = logger("test", (l) => lines.push(l));

    const first = await build(system(root), cache, log);
    expect(first.cached).toBe(false);
    expect(lines.filter((l) => l.includes("Compiling") && l.endsWith("…"))).toHaveLength(2);
    const mtime = (await stat(first.binaries["app"]!)).mtimeMs;
    expect((await stat(first.binaries["app.test"]!)).size).toBeGreaterThan(0);

    lines.length = 0;
    const second = await build(system(root), cache, log);
    expect(second.cached).toBe(true);
    expect(second.binaries).toEqual(first.binaries);
    expect(lines.some((l) => l.includes("Compiling"))).toBe(false);
    expect((await stat(second.binaries["app"]!)).mtimeMs).toBe(mtime);

    // One changed source file in a dependency module: a new build.
    await writeFile(join(root, "lib/lib.go"), "package lib\n\nfunc Answer() int { return 43 }\n");
    const third = await build(system(root), cache, log);
    expect(third.cached).toBe(false);
    expect(third.hash).not.toBe(first.hash);
  });

  test("a compile error is reported with the compiler's message and the command", async () => {
    const root = await project();
    await writeFile(join(root, "lib/lib.go"), "package lib\n\nfunc Answer() int { return \"no\" }\n");
    const err = await build(system(root), join(root, ".cache"), logger("test", () => {})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoBuildError);
    expect((err as Error).message).toMatch(/go build -trimpath -o .* \.\/app failed/);
    expect((err as Error).message).toMatch(/lib\.go:3:.*cannot use "no"/);
  });
});
