// The pipeline on a real engine, outside Vitest's suite adapter: a checker that throws makes the run's verdict
// unknown (its result carries the error) while the other checkers still judge the run; stages come in the order
// written in pipeline.ts; down -v leaves nothing.
import { readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import dqueue from "../../systems/dqueue/system.ts";
import { projectName } from "../compose/up.ts";
import { listProject } from "../docker/project.ts";
import { resolveContext } from "./context.ts";
import { runPipeline, STAGES, type Stage } from "./pipeline.ts";
import { variant } from "./variant.ts";

test("a throwing checker yields unknown with its error; the rest of the run is judged and torn down", { timeout: 600_000 }, async () => {
  const runsDir = await testDir("pipeline-runs-");
  const ctx = resolveContext(dqueue, { ...process.env, ANTITHESIS: "0", PGO_HARNESS_RUNS_DIR: runsDir }, { write: () => undefined });
  const system = {
    ...ctx.system,
    checks: (s: typeof ctx.settings) => [
      { name: "test/boom", check: async () => { throw new Error("the checker fell over"); } },
      ...ctx.system.checks(s, ctx.system),
    ],
  };
  const order: Stage[] = [];
  const result = await runPipeline({ ...ctx, system }, {
    variant: variant(system, { title: "boom", env: {} }),
    variantName: "boom",
    rerun: "npx vitest run suites/dqueue/boom.test.ts",
    onEvent: (e) => {
      if (e.type === "stage") order.push(e.stage);
    },
  });
  expect(order).toEqual([...STAGES]);
  expect(result.error).toBeUndefined();
  const boom = result.checks.find((c) => c.name === "test/boom");
  expect(boom).toMatchObject({ valid: "unknown", summary: 'checker "test/boom" crashed: the checker fell over' });
  expect(result.checks.find((c) => c.name === "history/queue")?.valid).toBe(true);
  expect(result.verdict).toBe("unknown");
  const saved = JSON.parse(await readFile(join(result.run!.dir, "results.json"), "utf8")) as { verdict: unknown };
  expect(saved.verdict).toBe("unknown");
  // The run log starts with the commit and the rerun command; `latest` is kept per variant.
  const log = (await readFile(join(result.run!.dir, "run.log"), "utf8")).split("\n");
  expect(log[0]).toMatch(/^commit [0-9a-f]{40} \((clean|dirty: uncommitted changes)\)$/);
  expect(log[1]).toBe("rerun: npx vitest run suites/dqueue/boom.test.ts");
  expect(await readlink(join(runsDir, "dqueue", "latest-boom"))).toBe(result.run!.dir.split("/").pop());
  const left = await listProject(projectName("dqueue", result.run!.id));
  expect(left).toEqual({ containers: [], networks: [], volumes: [] });
});
