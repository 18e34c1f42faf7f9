// compose's progress lines are dropped from an up error, and the service that never finished starting is named.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, onTestFinished, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { ComposeError, composeErrorMessage, composeUp } from "./compose.ts";

test("names the service that began starting and never finished, and keeps the daemon's error", () => {
  const stderr = [
    " Network pgoh-x-1a_default  Creating",
    " Network pgoh-x-1a_default  Created",
    " Container pgoh-x-1a-broken-1  Creating",
    " Container pgoh-x-1a-ok-1  Creating",
    " Container pgoh-x-1a-ok-1  Created",
    " Container pgoh-x-1a-broken-1  Created",
    " Container pgoh-x-1a-broken-1  Starting",
    " Container pgoh-x-1a-ok-1  Starting",
    " Container pgoh-x-1a-ok-1  Started",
    'Error response from daemon: failed to create task for container: exec: "/nope": stat /nope: no such file or directory: unknown',
  ].join("\n");
  expect(composeErrorMessage("pgoh-x-1a", stderr)).toBe(
    'service "broken": Error response from daemon: failed to create task for container: exec: "/nope": stat /nope: no such file or directory: unknown',
  );
});

// composeUp against a stand-in `docker` (a shell script first on PATH, a real process): whileStarting runs while
// compose is still running, a throwing whileStarting does not abandon it, and a timeout, a failure and a missing
// docker each come back as the ComposeError that says so.
describe("composeUp runs docker compose up and lets the caller work meanwhile", () => {
  const project = { name: "pgoh-x-1a", dir: ".", files: ["docker-compose.yaml"] };
  async function withFakeDocker(script: string): Promise<string> {
    const dir = await testDir("fake-docker-");
    await writeFile(join(dir, "docker"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    const path = process.env["PATH"];
    process.env["PATH"] = `${dir}:${path}`;
    onTestFinished(() => {
      process.env["PATH"] = path;
    });
    return dir;
  }

  test("whileStarting is called once compose runs, before it has finished", async () => {
    const dir = await withFakeDocker(`echo "$@" > "$(dirname "$0")/args"; sleep 0.3; touch "$(dirname "$0")/finished"`);
    let sawFinished: boolean | undefined;
    await composeUp(project, 10_000, () => {
      sawFinished = existsSync(join(dir, "finished"));
    });
    expect(sawFinished).toBe(false);
    expect(existsSync(join(dir, "finished"))).toBe(true);
    expect(await readFile(join(dir, "args"), "utf8")).toBe("compose -p pgoh-x-1a -f docker-compose.yaml up -d --no-build --pull never --quiet-pull\n");
  });

  test("a throwing whileStarting does not abandon compose: up still reports compose's own outcome", async () => {
    await withFakeDocker(`sleep 0.2; echo " Container pgoh-x-1a-db-1  Starting" >&2; echo "Error response from daemon: boom" >&2; exit 1`);
    const err = await composeUp(project, 10_000, () => {
      throw new Error("side work failed");
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComposeError);
    expect((err as Error).message).toBe('service "db": Error response from daemon: boom');
  });

  test("past its timeout compose is stopped and the error says so", async () => {
    await withFakeDocker("sleep 5");
    await expect(composeUp(project, 300)).rejects.toThrow("docker compose up did not finish within 0.3 s");
  });

  test("no docker on PATH: the spawn error is the message", async () => {
    const path = process.env["PATH"];
    process.env["PATH"] = "/nonexistent";
    onTestFinished(() => {
      process.env["PATH"] = path;
    });
    await expect(composeUp(project, 10_000)).rejects.toThrow(/ENOENT/);
  });
});
