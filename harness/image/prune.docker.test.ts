// Images pile up (issue 20, row 7): prune keeps the newest N content-hashed tags of each image and removes the rest.
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { dockerClient } from "../docker/client.ts";
import { projectRoot } from "../paths.ts";

const docker = dockerClient();
const system = `prunetest${process.pid}`;
const made: string[] = [];

afterAll(async () => {
  for (const ref of made) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
});

test("pgo-harness prune --keep 1 removes the older tags of each image, newest kept", { timeout: 120_000 }, async () => {
  const dir = await testDir("prune-");
  await execa("tar", ["cf", join(dir, "empty.tar"), "--files-from", "/dev/null"]);
  // Three builds of one image and one of another, oldest first (Created is in seconds: a second apart).
  for (const [image, hash] of [["test", "aaaa"], ["test", "bbbb"], ["config", "cccc"], ["test", "dddd"]] as const) {
    const ref = `pgo-harness/${system}-${image}:${hash}`;
    await execa("docker", ["import", "--change", `LABEL marker=${hash}`, join(dir, "empty.tar"), ref]);
    made.push(ref);
    await new Promise((r) => setTimeout(r, 1100));
  }
  const r = await execa(process.execPath, [join(projectRoot, "harness/cli/pgo-harness.mjs"), "prune", "--keep", "1", "--system", system], { cwd: projectRoot, reject: false, all: true });
  expect(r.exitCode, r.all).toBe(0);
  expect(r.stdout).toContain(`removed pgo-harness/${system}-test:aaaa`);
  expect(r.stdout).toContain(`removed pgo-harness/${system}-test:bbbb`);
  const left = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith(`pgo-harness/${system}-`)).sort();
  expect(left).toEqual([`pgo-harness/${system}-config:cccc`, `pgo-harness/${system}-test:dddd`]);
});
