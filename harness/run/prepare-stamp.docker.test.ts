// The prepare stamp on a real toolchain and engine, with a small system made here (two Go modules, one image):
// a warm prepare reuses the last full prepare's result without compiling, hashing or building; it agrees with
// the full path; and any touched input — new content, even with size and mtime put back — sends it down the
// full path again, which rebuilds what changed.
import { mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { dockerClient } from "../docker/client.ts";
import { defineSystem } from "../system.ts";
import { testDir } from "../testing/temp.ts";
import { resolveContext } from "./context.ts";
import { prepareSystem } from "./prepare.ts";

const files: Record<string, string> = {
  "lib/go.mod": "module example.local/lib\n\ngo 1.24\n",
  "lib/lib.go": "package lib\n\nfunc Answer() int { return 42 }\n",
  "app/go.mod": "module example.local/app\n\ngo 1.24\n\nrequire example.local/lib v0.0.0\n",
  "app/main.go": 'package main\n\nimport (\n\t"fmt"\n\n\t"example.local/lib"\n)\n\nfunc main() { fmt.Println(lib.Answer()) }\n',
  "assets/docker-compose.yaml": "services:\n  app:\n    image: stamp:test\n",
  "assets/Dockerfile.app": "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY bin/app /app\n",
};

const tags = new Set<string>();
afterAll(async () => {
  const docker = dockerClient();
  for (const t of tags) await docker.getImage(t).remove({ force: true }).catch(() => undefined);
});

describe("prepare stamp", () => {
  test("reuses the last full prepare while no input is touched, and takes the full path again after any change", { timeout: 600_000 }, async () => {
    const root = await testDir("prepare-stamp-");
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, ".."), { recursive: true });
      await writeFile(join(root, path), text);
    }
    // Whole seconds, so that the mtime can be put back exactly below.
    const lib = join(root, "lib/lib.go");
    await utimes(lib, 1_700_000_000, 1_700_000_000);
    const system = defineSystem(
      {
        name: "stamptest",
        modules: [
          { name: "lib", dir: "lib" },
          { name: "app", dir: "app" },
        ],
        binaries: [{ name: "app", package: "./app" }],
        assets: "assets",
        images: [{ name: "app", dockerfile: "Dockerfile.app", ref: "stamp:test" }],
        template: "app",
        tracesVolume: "traces",
        checks: () => [],
      },
      root,
    );
    const lines: string[] = [];
    const ctx = resolveContext(system, { ...process.env, ANTITHESIS: "0", PGO_HARNESS_CACHE_DIR: join(root, ".cache") }, { write: (l) => lines.push(l) });
    const prepare = async (ignoreStamp = false) => {
      lines.length = 0;
      const p = await prepareSystem(ctx, { ignoreStamp });
      for (const i of p.images) tags.add(i.tag);
      return p;
    };
    const stamped = () => lines.some((l) => l.includes("no input touched"));

    const cold = await prepare();
    expect(cold.build.cached).toBe(false);
    expect(stamped()).toBe(false);

    const warm = await prepare();
    expect(stamped(), lines.join("\n")).toBe(true);
    expect(lines.some((l) => l.includes("Compiling") || l.includes("Building image"))).toBe(false);
    expect(warm.images.map((i) => i.tag)).toEqual(cold.images.map((i) => i.tag));
    expect(warm.build.hash).toBe(cold.build.hash);
    // The full path, asked directly, finds the same build and images.
    const full = await prepare(true);
    expect(stamped()).toBe(false);
    expect(full.build.hash).toBe(warm.build.hash);
    expect(full.images.map((i) => i.tag)).toEqual(warm.images.map((i) => i.tag));

    // New content of the same size, with the old mtime put back: still seen (ctime), and rebuilt.
    const before = await stat(lib, { bigint: true });
    await writeFile(lib, (await readFile(lib, "utf8")).replace("42", "43"));
    await utimes(lib, 1_700_000_000, 1_700_000_000);
    const after = await stat(lib, { bigint: true });
    expect([after.mtimeNs, after.size]).toEqual([before.mtimeNs, before.size]);
    const changed = await prepare();
    expect(stamped()).toBe(false);
    expect(changed.build.cached).toBe(false);
    expect(changed.build.hash).not.toBe(cold.build.hash);
    expect(changed.images[0]!.tag).not.toBe(cold.images[0]!.tag);
    expect((await prepare()).images[0]!.tag).toBe(changed.images[0]!.tag);
    expect(stamped()).toBe(true);

    // A new file among the assets (an image input): the full path again; a removed image: the full path too.
    await writeFile(join(root, "assets/notes.txt"), "x\n");
    const withAsset = await prepare();
    expect(stamped()).toBe(false);
    expect(withAsset.images[0]!.tag).not.toBe(changed.images[0]!.tag);
    await dockerClient().getImage(withAsset.images[0]!.tag).remove({ force: true });
    const rebuilt = await prepare();
    expect(stamped()).toBe(false);
    expect(rebuilt.images[0]!.cached).toBe(false);
    expect(rebuilt.images[0]!.tag).toBe(withAsset.images[0]!.tag);
  });
});
