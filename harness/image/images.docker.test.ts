// The image stage against a real engine: images are built from the system's Dockerfiles with the binaries in
// the context, run, and not rebuilt while their inputs are unchanged.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GenericContainer, Wait } from "testcontainers";
import { describe, expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { build } from "../gobuild/index.ts";
import { logger } from "../log.ts";
import { loadSettings } from "../settings.ts";
import { defineSystem } from "../system.ts";
import { resolveBaseImage } from "./base-image.ts";
import { dockerClient } from "../docker/client.ts";
import { buildImages } from "./index.ts";

describe("image stage", () => {
  test("builds each image once from the system's Dockerfiles, with the binaries; unchanged inputs build nothing", async () => {
    const root = await testDir("images-");
    const files: Record<string, string> = {
      "hello/go.mod": "module example.local/hello\n\ngo 1.24\n",
      "hello/main.go": 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello from the image") }\n',
      "assets/docker-compose.yaml": "services:\n  hello:\n    image: hello:antithesis\n",
      "assets/Dockerfile.hello": "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY bin/hello /usr/local/bin/hello\nCMD [\"/usr/local/bin/hello\"]\n",
      "assets/Dockerfile.config": "FROM scratch\nCOPY docker-compose.yaml /docker-compose.yaml\n",
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, ".."), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const system = defineSystem(
      {
        name: "hello",
        modules: [{ name: "hello", dir: "hello" }],
        binaries: [{ name: "hello", package: "./hello" }],
        assets: "assets",
        images: [
          { name: "hello", dockerfile: "Dockerfile.hello", ref: "hello:antithesis" },
          { name: "config", dockerfile: "Dockerfile.config", ref: "hello-config:antithesis", config: true },
        ],
        template: "hello",
        tracesVolume: "traces",
        checks: () => [],
      },
      root,
    );
    const docker = dockerClient();
    const log = logger("test", () => {});
    const settings = loadSettings(process.env);
    const built = await build(system, join(root, ".cache"), log);
    const baseImage = await resolveBaseImage(settings, docker, logger("test"));
    const opts = { system, build: built, baseImage, cacheDir: join(root, ".cache"), docker, log };

    const first = await buildImages(opts);
    expect(first.map((i) => i.tag)).toEqual([expect.stringMatching(/^pgo-harness\/hello-hello:[0-9a-f]{12}$/), expect.stringMatching(/^pgo-harness\/hello-config:[0-9a-f]{12}$/)]);

    const second = await buildImages(opts);
    expect(second.map((i) => i.cached)).toEqual([true, true]);
    expect(second.map((i) => i.tag)).toEqual(first.map((i) => i.tag));

    const container = await new GenericContainer(first[0]!.tag).withWaitStrategy(Wait.forOneShotStartup()).start();
    try {
      const logs = await container.logs();
      const text = await new Promise<string>((resolve) => {
        let out = "";
        logs.on("data", (d: Buffer | string) => (out += d.toString())).on("end", () => resolve(out));
      });
      expect(text).toContain("hello from the image");
    } finally {
      await container.stop({ remove: true }).catch(() => undefined);
    }
    for (const image of first) await docker.getImage(image.tag).remove({ force: true });
  });
});
