// The CI workflow the README offers (.github/workflows/pgo-harness.yml) is linted with actionlint, fetched from the
// Go module proxy at a pinned version. A broken copy must be refused, so a pass means the linter really read it.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, expect, test } from "vitest";
import { projectRoot } from "../paths.ts";

const ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12";
const workflow = join(projectRoot, ".github/workflows/pgo-harness.yml");
const dir = await mkdtemp(join(tmpdir(), "actionlint-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const env = { ...process.env, GOFLAGS: "", GOWORK: "off", PATH: `${process.env["PATH"] ?? ""}:/usr/local/go/bin` };
const lint = (file: string) => execa("go", ["run", ACTIONLINT, "-no-color", file], { cwd: dir, env, reject: false, timeout: 300_000 });

test("actionlint accepts the workflow, which runs the README's two commands and keeps runs/ and reports/", async () => {
  const r = await lint(workflow);
  expect(r.stdout + r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  const text = await readFile(workflow, "utf8");
  const readme = await readFile(join(projectRoot, "README.md"), "utf8");
  for (const command of ["bash scripts/setup.sh && npx vitest run suites/raftkvs", "bash scripts/setup.sh && npm test"]) {
    expect(readme).toContain(command);
    expect(text).toContain(command);
  }
  expect(text).toMatch(/upload-artifact[\s\S]*runs\/[\s\S]*reports\//);
}, 300_000);

test("actionlint refuses a broken copy (a step output that does not exist)", async () => {
  const broken = join(dir, "broken.yml");
  await cp(workflow, broken);
  const text = await readFile(broken, "utf8");
  await writeFile(broken, text.replace("if: ${{ !cancelled() }}", "if: ${{ steps.nope.outputs.x == 1 && github.nonexistent_context }}"));
  const r = await lint(broken);
  expect(r.exitCode).not.toBe(0);
  expect(r.stdout).toMatch(/nonexistent_context|property "nonexistent_context"/);
}, 300_000);
