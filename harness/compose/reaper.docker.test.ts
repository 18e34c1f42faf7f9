// The reaper against a real engine: a process that dies without any chance to clean up (SIGKILL) still gets
// its compose project removed — containers, network and volumes.
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DockerComposeEnvironment } from "testcontainers";
import { describe, expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { resolveBaseImage } from "../image/base-image.ts";
import { dockerClient } from "../docker/client.ts";
import { logger } from "../log.ts";
import { loadSettings } from "../settings.ts";
import { listProject, removeProject } from "../docker/project.ts";

describe("reaper", () => {
  test("removes a registered compose project after its owner is killed with SIGKILL", async () => {
    const docker = dockerClient();
    const base = await resolveBaseImage(loadSettings(process.env), docker, logger("test"));
    const dir = await testDir("reaper-");
    await writeFile(
      join(dir, "docker-compose.yaml"),
      `services:\n  idle:\n    image: ${base}\n    command: ["sleep", "infinity"]\n    volumes: [data:/data]\nvolumes:\n  data:\n`,
    );
    const project = `pgoh-reaper-test-${process.pid}`;
    try {
      await new DockerComposeEnvironment(dir, "docker-compose.yaml").withProjectName(project).up();
      const before = await listProject(project, docker);
      expect(before.containers).toHaveLength(1);
      expect(before.volumes).toEqual([`${project}_data`]);

      const logFile = join(dir, "reaper.log");
      const child = spawn(process.execPath, [fileURLToPath(new URL("./fixtures/reaper-client.ts", import.meta.url)), project, logFile], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
        child.on("exit", (code) => reject(new Error(`fixture exited early with ${code}`)));
      });
      child.kill("SIGKILL");

      let left = before;
      for (let i = 0; i < 60 && left.containers.length + left.networks.length + left.volumes.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 500));
        left = await listProject(project, docker);
      }
      expect(left).toEqual({ containers: [], networks: [], volumes: [] });
      expect(await readFile(logFile, "utf8")).toContain(`removed compose project ${project}`);
    } finally {
      await removeProject(project, docker);
    }
  });
});
