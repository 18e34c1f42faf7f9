// Under an old Node, Vitest itself starts but the harness's dependencies crash in the global setup with an
// unrelated-looking TypeError and "No test files found": say what is wrong in one line instead.
{
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 18)) {
    process.stderr.write(`pgo-harness needs Node >= 22.18 (found ${process.versions.node}): run it through npx or npm scripts, which use the project's Node 24\n`);
    process.exit(1);
  }
}

// testcontainers: Ryuk cannot be pulled here; the harness reaps its own projects (harness/compose/reaper.ts).
process.env["TESTCONTAINERS_RYUK_DISABLED"] ??= "true";

import { existsSync, readdirSync, statSync } from "node:fs";
import { enableCompileCache } from "node:module";
import { join, resolve } from "node:path";
import { defineConfig } from "vitest/config";

// V8's compiled code of the harness's dependencies, kept between runs (as the CLI does): for what this process
// imports from here on (the global setups), and, through the environment, for the test workers.
process.env["NODE_COMPILE_CACHE"] ??= join(resolve(import.meta.dirname, process.env["PGO_HARNESS_CACHE_DIR"] || ".cache"), "node-compile-cache");
enableCompileCache(process.env["NODE_COMPILE_CACHE"]);

// Where JUnit and JSON reports go (child runs started by tests write their own, not over the outer run's).
const reports = process.env["PGO_HARNESS_REPORTS_DIR"] || "reports";

// One Vitest project per folder in suites/: adding a system never touches this file.
const suites = existsSync("suites") ? readdirSync("suites").filter((name) => statSync(join("suites", name)).isDirectory()) : [];

export default defineConfig({
  test: {
    reporters: [
      "default",
      ["junit", { outputFile: `${reports}/junit.xml`, suiteName: "pgo-harness" }],
      ["json", { outputFile: `${reports}/results.json` }],
    ],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["harness/**/*.test.ts", "systems/**/*.test.ts"],
          // Fails the run when tests leave files in the temp dir (harness/testing/tmp-guard.ts).
          globalSetup: ["harness/testing/tmp-guard.ts"],
          testTimeout: 120_000,
        },
      },
      ...suites.map((name) => ({
        extends: true,
        test: {
          name,
          include: [`suites/${name}/**/*.test.ts`],
          globalSetup: ["harness/testing/tmp-guard.ts", `suites/${name}/global-setup.ts`],
          // Builds, container start-up and workloads are slow; the harness enforces its own stage deadlines.
          testTimeout: 30 * 60_000,
          hookTimeout: 30 * 60_000,
          // Each suite file owns a compose project; files of one system run one after another.
          fileParallelism: false,
        },
      })),
    ],
  },
});
