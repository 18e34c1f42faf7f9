// The system's own Antithesis assertions decide the verdict: dqueue with a planted property failure (DQUEUE_PLANT,
// read by its test binary; the queue itself stays correct) fails exactly that property's test, naming it, while
// the workload and every trace check still pass.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { childEnv, runSuiteInChild } from "../../harness/vitest/child-run.ts";

const PLANTS = [
  { plant: "always", property: "the consumer receives exactly the produced items, in order", kind: "Always", reason: /false in 1 of 1 reported evaluations/ },
  { plant: "sometimes", property: "items reach the consumer", kind: "Sometimes", reason: /never true \(false in all 1 reported evaluations\)/ },
] as const;

for (const { plant, property, kind, reason } of PLANTS) {
  test(`DQUEUE_PLANT=${plant} fails "property: ${property}" and nothing else`, async () => {
    const outcome = await runSuiteInChild({
      args: ["--project", "dqueue", "suites/dqueue/dqueue.test.ts"],
      env: childEnv({ DQUEUE_PLANT: plant }),
      timeoutMs: 10 * 60_000,
      reporter: "verbose",
    });
    const out = outcome.output;
    expect(outcome.exitCode, out.slice(-3000)).toBe(1);
    expect(out).toMatch(/✓ .*workload: the template's commands pass/);
    expect(out).toMatch(/✓ .*check: history\/queue/);
    const failed = [...out.matchAll(/^\s*× (.*?)(?: \d+ms)?$/gm)].map((m) => m[1]!.replace(/^.*> /, ""));
    expect(failed).toEqual([`property: ${property}`]);
    expect(out).toContain(`property "${property}" failed:`);
    expect(out).toMatch(new RegExp(`${kind} "${property}": failed — ${reason.source}`));
    expect(out).toMatch(/first failure: dqueue\/singleton_driver_TestProducerConsumer \(sdk-dqueue@singleton_driver_TestProducerConsumer\.jsonl:\d+\)/);
    // The run directory holds the report too.
    const runDir = /run \S+: artifacts in (\S+)/.exec(out)?.[1];
    expect(runDir).toBeDefined();
    expect(await readFile(join(runDir!, "properties.md"), "utf8")).toMatch(new RegExp(`\\| failed \\| ${kind} \\| ${property} \\|`));
    // And its page (a real failing run's, not a synthetic one): the verdict and that property's row say FAIL.
    const page = await readFile(join(runDir!, "index.html"), "utf8");
    expect(page).toContain('<p class="verdict">verdict: <span class="fail">FAIL</span></p>');
    expect(page).toContain(`<tr><td>${property}</td><td>${kind}</td><td><span class="fail">FAIL</span></td>`);
    // JUnit carries where the run is: the run and its page on the tests, a check's details on its test.
    const junit = await readFile(outcome.junit, "utf8");
    expect(junit).toContain(`value="run: ${runDir} (page: ${join(runDir!, "index.html")})"`);
    expect(junit).toContain(`value="details: ${join(runDir!, "checks", "history_queue", "results.json")}"`);
    expect(outcome.leftovers).toEqual({ containers: [], networks: [], volumes: [] });
  });
}
