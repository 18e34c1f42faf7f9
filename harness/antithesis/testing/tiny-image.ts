// A small test image built from the harness's base image: one of its files on scratch plus a marker unique
// to the call, so that pushing it takes a second rather than the base's hundreds of MB. Remove it with
// docker.getImage(tag).remove() when done.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenericContainer } from "testcontainers";
import { resolveBaseImage } from "../../image/base-image.ts";
import type { Docker } from "../../docker/client.ts";
import type { Logger } from "../../log.ts";
import { loadSettings } from "../../settings.ts";

export async function buildTinyImage(docker: Docker, tag: string, log: Logger): Promise<string> {
  const base = await resolveBaseImage(loadSettings(process.env), docker, log);
  const dir = await mkdtemp(join(tmpdir(), "pgo-harness-tiny-image-"));
  try {
    await writeFile(join(dir, "Dockerfile"), "ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS base\nFROM scratch\nCOPY --from=base /etc/debian_version /debian_version\nCOPY marker /marker\n");
    await writeFile(join(dir, "marker"), randomBytes(16).toString("hex"));
    await GenericContainer.fromDockerfile(dir).withBuildArgs({ BASE_IMAGE: base }).build(tag, { deleteOnExit: false });
    return tag;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
