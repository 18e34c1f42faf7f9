// A service whose command is missing fails `up` with the daemon's own error, the service named first (not
// compose's progress lines), the logs of what was created kept, and nothing left (issue 20, row 5).
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import dqueue from "../../systems/dqueue/system.ts";
import { listProject } from "../docker/project.ts";
import { resolveContext } from "../run/context.ts";
import { runPipeline } from "../run/pipeline.ts";
import { variant } from "../run/variant.ts";
import { projectName } from "./up.ts";

test("a missing command fails up naming the service, with the daemon's error and the logs of what started", { timeout: 600_000 }, async () => {
  const dir = await testDir("up-missing-command-");
  const original = await readFile(dqueue.compose, "utf8");
  // dqueue plus a second service whose command does not exist in its image.
  const compose = original.replace(
    "\nvolumes:",
    `  broken:\n    image: dqueue:antithesis\n    command: ["/usr/local/bin/no-such-command"]\n\nvolumes:`,
  );
  expect(compose).toContain("no-such-command");
  await writeFile(join(dir, "docker-compose.yaml"), compose);
  const runsDir = await testDir("up-runs-");
  const ctx0 = resolveContext(dqueue, { ...process.env, ANTITHESIS: "0", PGO_HARNESS_RUNS_DIR: runsDir }, { write: () => undefined });
  const ctx = { ...ctx0, system: { ...ctx0.system, compose: join(dir, "docker-compose.yaml") } };
  const result = await runPipeline(ctx, { variant: variant(ctx.system), rerun: "(test)" });
  expect(result.stages.up?.status).toBe("failed");
  const message = result.error!.message;
  const first = message.split("\n")[0]!;
  expect(first).toMatch(/^up failed: service "broken": .*no-such-command/);
  expect(message).not.toMatch(/Container \S+\s+(Creating|Created|Starting)/);
  const logs = /logs of the \d+ container\(s\) created: (\S+)/.exec(message)?.[1];
  expect(logs, message).toBeDefined();
  expect(await readdir(logs!)).toContain("dqueue.log");
  expect(await listProject(projectName("dqueue", result.run!.id))).toEqual({ containers: [], networks: [], volumes: [] });
});
