// The Go modules' own tests (`go vet`, `go test`), one Vitest test per module, so that `npm test` runs them
// and their failures land in the same report.
import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { projectRoot } from "../harness/paths.ts";

const modules = readdirSync(join(projectRoot, "systems"), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(projectRoot, "systems", e.name, "go.mod")))
  .map((e) => e.name)
  .sort();

const env = { PATH: `${process.env["PATH"] ?? ""}:/usr/local/go/bin`, GOFLAGS: "", CGO_ENABLED: "0" };

describe("Go modules", () => {
  test("there is at least one Go module in systems/", () => {
    expect(modules.length).toBeGreaterThan(0);
  });
  for (const name of modules) {
    test(`systems/${name}: go vet and go test pass`, { timeout: 15 * 60_000 }, async () => {
      const cwd = join(projectRoot, "systems", name);
      const vet = await execa("go", ["vet", "./..."], { cwd, env, all: true, reject: false });
      expect(vet.exitCode, `go vet ./... in systems/${name}:\n${vet.all}`).toBe(0);
      const run = await execa("go", ["test", "-count=1", "./..."], { cwd, env, all: true, reject: false });
      expect(run.exitCode, `go test ./... in systems/${name}:\n${run.all}`).toBe(0);
    });
  }
});
