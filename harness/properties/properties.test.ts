// Property evaluation on real Antithesis Go SDK v0.8.0 output: the fixture program in fixtures/sdkprog asserts
// one property of each kind; its argument plants one failure. Built here with cgo (as the harness builds), without
// (the SDK's degraded-mode property), and instrumented (the instrumentor's catalog: `hit: false` records).
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import fse from "fs-extra";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { removeDir } from "../testing/temp.ts";
import { findSetupComplete } from "../compose/setup-complete.ts";
import { ensureInstrumentor, instrumentWorkspace, INSTRUMENTOR_VERSION } from "../instrument/instrument.ts";
import { projectRoot } from "../paths.ts";
import { scanGoSource, scanModules } from "./catalog.ts";
import { evaluateAsserts, matchCatalog, OUTSIDE_CATALOG, SDK_CGO_PROPERTY } from "./evaluate.ts";
import { evaluateRunProperties, type RunProperties } from "./run.ts";
import { describeProperty } from "./report.ts";
import { parseSdkText, sdkOutputFile, sourceOf } from "./sdk-output.ts";

const FIXTURE = join(projectRoot, "harness", "properties", "fixtures", "sdkprog");
const MODULES = [{ name: "sdkprog", dir: FIXTURE }];
const PATH = `${process.env["PATH"] ?? ""}:/usr/local/go/bin`;
const BUILD_TIMEOUT = 300_000;

let root = "";
let cgo = "";
let nocgo = "";

async function build(dir: string, out: string, withCgo: boolean, gowork = "off"): Promise<string> {
  await execa("go", ["build", "-trimpath", "-o", out, "."], {
    cwd: dir,
    env: { PATH, GOWORK: gowork, GOFLAGS: "", CGO_ENABLED: withCgo ? "1" : "0", GOOS: "linux", GOARCH: "amd64" },
  });
  return out;
}

/** Runs the fixture as the harness runs a process: its own SDK output file in a fresh run directory. */
async function runFixture(binary: string, plant: string, extraEnv: Record<string, string> = {}): Promise<string> {
  const runDir = await mkdtemp(join(root, "run-"));
  const sdkDir = join(runDir, "antithesis-sdk");
  await fse.ensureDir(sdkDir);
  const r = await execa(binary, plant === "" ? [] : [plant], {
    env: { PATH, ANTITHESIS_SDK_LOCAL_OUTPUT: join(sdkDir, sdkOutputFile("app", "singleton_driver_x")), ...extraEnv },
    extendEnv: false,
  });
  expect(r.stdout).toContain("sdkprog: done");
  return runDir;
}

function statuses(result: RunProperties): Record<string, string> {
  return Object.fromEntries(result.tests.map((t) => [t.name, t.status]));
}

const ALL_PASS = {
  "fixture: always holds": "passed",
  "fixture: always or unreachable holds": "passed",
  "fixture: sometimes true": "passed",
  "fixture: numeric always": "passed",
  "fixture: computed ‹prop›": "passed",
  "fixture: reachable": "passed",
  "fixture: unreachable": "passed",
  [OUTSIDE_CATALOG]: "passed",
};

afterAll(() => (root !== "" ? removeDir(root) : undefined));
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "properties-"));
  cgo = await build(FIXTURE, join(root, "sdkprog.cgo"), true);
  nocgo = await build(FIXTURE, join(root, "sdkprog.nocgo"), false);
}, BUILD_TIMEOUT);

describe("the source catalog", () => {
  test("finds every assertion of the fixture with its kind, place and function; computed messages as templates", () => {
    const catalog = scanModules(MODULES);
    expect(catalog.map((e) => [e.name, e.kind, e.form, e.file, e.line, e.function, e.literal])).toEqual([
      ["fixture: always holds", "Always", "Always", "main.go", 20, "main", true],
      ["fixture: always or unreachable holds", "AlwaysOrUnreachable", "AlwaysOrUnreachable", "main.go", 21, "main", true],
      ["fixture: sometimes true", "Sometimes", "Sometimes", "main.go", 22, "main", true],
      ["fixture: numeric always", "Always", "AlwaysGreaterThan", "main.go", 27, "main", true],
      ["fixture: reachable", "Reachable", "Reachable", "main.go", 31, "main", true],
      ["fixture: unreachable", "Unreachable", "Unreachable", "main.go", 34, "main", true],
      ["fixture: computed ‹prop›", "Always", "Always", "main.go", 41, "check", false],
    ]);
  });

  test("an aliased import, a raw string, a call across lines; comments, other packages and lookalike names are not assertions", () => {
    const src = [
      "package p",
      'import (\n\tsdk "github.com/antithesishq/antithesis-sdk-go/assert"\n\t"example.com/assert"\n)',
      "func (s *Server) run() {",
      '\t// sdk.Always(false, "in a comment", nil)',
      '\tassert.Always(false, "another package", nil)',
      '\tmysdk.Always(false, "not the alias", nil)',
      "\tsdk.Sometimes(f(a, b) > 0,\n\t\t`raw, with (parens)`,\n\t\tmap[string]any{\"k\": []int{1, 2}})",
      '\tsdk.Unreachable("quoted \\"x\\", comma", nil)',
      "}",
    ].join("\n");
    expect(scanGoSource(src, "p.go", "m").map((e) => [e.name, e.kind, e.line, e.function])).toEqual([
      ["raw, with (parens)", "Sometimes", 10, "Server.run"],
      ['quoted "x", comma', "Unreachable", 13, "Server.run"],
    ]);
  });
});

describe("a run of the fixture built with cgo, as the harness builds", () => {
  test("every property passes; the SDK stays in local mode with ANTITHESIS_OUTPUT_DIR set, and signals setup-complete in its own file", async () => {
    const outputDir = await mkdtemp(join(root, "outdir-"));
    const runDir = await runFixture(cgo, "", { ANTITHESIS_OUTPUT_DIR: outputDir });
    expect(await fse.readdir(outputDir), "nothing in the in-Antithesis sdk.jsonl").toEqual([]);
    const file = sdkOutputFile("app", "singleton_driver_x");
    const text = await readFile(join(runDir, "antithesis-sdk", file), "utf8");
    expect(findSetupComplete(new Map([[file, text]]))).toEqual({ file, details: { fixture: "sdkprog" } });
    expect(text).not.toContain(SDK_CGO_PROPERTY);
    const result = await evaluateRunProperties(runDir, scanModules(MODULES), "fixture");
    expect(statuses(result)).toEqual(ALL_PASS);
    // Attributable: the file names the service and the process.
    expect(result.files).toEqual([{ file, service: "app", process: "singleton_driver_x", starts: 1, asserts: expect.any(Number) }]);
    const always = result.properties.find((p) => p.name === "fixture: always holds")!;
    expect(always).toMatchObject({ kind: "Always", location: "pgoharness.local/sdkprog/main.go:20 (main.main)", examples: 1, counterexamples: 0, sources: ["app/singleton_driver_x"] });
    // Written into the run directory.
    const json = (await fse.readJson(join(runDir, "properties.json"))) as RunProperties;
    expect(json.properties.map((p) => p.name)).toContain("fixture: computed holds");
    expect(await readFile(join(runDir, "properties.md"), "utf8")).toMatch(/\| passed \| Always \| fixture: always holds \| pgoharness\.local\/sdkprog\/main\.go:20 \(main\.main\) \| 1 \| 0 \| app\/singleton_driver_x \|/);
  });

  const planted: [string, string, RegExp][] = [
    ["always", "fixture: always holds", /false in 1 of 2 reported evaluations.*\nfirst failure: app\/singleton_driver_x \(sdk-app@singleton_driver_x\.jsonl:\d+\): \{"i":2\}/],
    ["sometimes", "fixture: sometimes true", /never true \(false in all 1 reported evaluations\)/],
    ["numeric", "fixture: numeric always", /false in 1 of 2 reported evaluations.*\nfirst failure: .*\{"left":1,"right":2\}/],
    ["unreachable", "fixture: unreachable", /reached 1 time/],
    ["computed", "fixture: computed ‹prop›", /"fixture: computed holds": failed/],
  ];
  for (const [plant, property, message] of planted) {
    test(`plant "${plant}" fails "${property}" and nothing else`, async () => {
      const result = await evaluateRunProperties(await runFixture(cgo, plant), scanModules(MODULES), "fixture");
      expect(statuses(result)).toEqual({ ...ALL_PASS, [property]: "failed" });
      const failed = result.tests.find((t) => t.name === property)!;
      expect(failed.properties.map(describeProperty).join("\n")).toMatch(message);
    });
  }

  test("a Reachable this run never reached, known only from the sources, is not judged: not reached", async () => {
    const result = await evaluateRunProperties(await runFixture(cgo, "unreached"), scanModules(MODULES), "fixture");
    expect(statuses(result)).toEqual({ ...ALL_PASS, "fixture: reachable": "not-reached" });
  });
});

describe("the SDK's degraded mode (no cgo)", () => {
  test("its CGO property is reported, not applicable, and fails nothing; with ANTITHESIS_OUTPUT_DIR all output goes to one sdk.jsonl", async () => {
    const runDir = await runFixture(nocgo, "");
    const result = await evaluateRunProperties(runDir, scanModules(MODULES), "fixture");
    expect(statuses(result)).toEqual({ ...ALL_PASS, [OUTSIDE_CATALOG]: "not-applicable" });
    expect(result.properties.find((p) => p.name === SDK_CGO_PROPERTY)).toMatchObject({ status: "not-applicable", kind: "Always" });

    // What the seed's override did: ANTITHESIS_OUTPUT_DIR set, no cgo. The per-process file stays empty.
    const outputDir = await mkdtemp(join(root, "degraded-"));
    const degraded = await runFixture(nocgo, "", { ANTITHESIS_OUTPUT_DIR: outputDir });
    expect(await fse.readdir(join(degraded, "antithesis-sdk"))).toEqual([]);
    expect(await readFile(join(outputDir, "sdk.jsonl"), "utf8")).toContain(SDK_CGO_PROPERTY);
  });
});

describe("the instrumentor's catalog", () => {
  let instrumented = "";
  beforeAll(async () => {
    const instrumentor = await ensureInstrumentor(INSTRUMENTOR_VERSION, join(projectRoot, ".cache"));
    const ws = join(root, "instrumented");
    await instrumentWorkspace(MODULES, ["sdkprog"], ws, { instrumentor, env: { PATH } });
    instrumented = await build(join(ws, "sdkprog"), join(root, "sdkprog.instrumented"), true, join(ws, "go.work"));
  }, BUILD_TIMEOUT);

  test("declares every literal property at start-up (hit: false); one declared and never reached fails", async () => {
    const runDir = await runFixture(instrumented, "unreached");
    const text = await readFile(join(runDir, "antithesis-sdk", sdkOutputFile("app", "singleton_driver_x")), "utf8");
    const declared = parseSdkText(text, sourceOf("x.jsonl")).asserts.filter((a) => !a.assert.hit).map((a) => a.assert.message);
    // A computed message is cataloged by its place.
    expect(new Set(declared)).toEqual(new Set([...scanModules(MODULES).filter((e) => e.literal).map((e) => e.name), 'Message from "main.go[41]"']));
    const result = await evaluateRunProperties(runDir, scanModules(MODULES), "fixture");
    expect(statuses(result)).toEqual({ ...ALL_PASS, "fixture: reachable": "failed" });
    // The placeholder goes with the call site's test and judges nothing.
    expect(result.properties.find((p) => p.name === 'Message from "main.go[41]"')).toMatchObject({ status: "not-applicable", location: "main.go:41 (pgoharness.local/sdkprog.check)" });
    expect(result.tests.find((t) => t.name === "fixture: computed ‹prop›")!.properties.map((p) => p.name)).toEqual(['Message from "main.go[41]"', "fixture: computed holds"]);
    expect(result.tests.find((t) => t.name === "fixture: reachable")!.properties[0]!.reason).toBe("declared in the catalog but never reached");
  });
});

describe("evaluation rules on self-consistent but wrong records", () => {
  // Real records from the fixture, altered one field at a time.
  let records: string[] = [];
  beforeAll(async () => {
    const runDir = await runFixture(cgo, "");
    records = (await readFile(join(runDir, "antithesis-sdk", sdkOutputFile("app", "singleton_driver_x")), "utf8")).trim().split("\n");
  });

  function judge(lines: readonly string[]) {
    const parsed = parseSdkText(lines.join("\n") + "\n", sourceOf(sdkOutputFile("svc", "main")));
    expect(parsed.malformed).toEqual([]);
    return Object.fromEntries(evaluateAsserts(parsed.asserts).map((p) => [p.name, p.status]));
  }
  function alter(message: string, change: (a: Record<string, unknown>) => void): string[] {
    return records.map((line) => {
      const doc = JSON.parse(line) as { antithesis_assert?: Record<string, unknown> };
      if (doc.antithesis_assert?.["message"] === message) change(doc.antithesis_assert);
      return JSON.stringify(doc);
    });
  }

  test("as recorded, every property passes", () => {
    expect(Object.values(judge(records)).every((s) => s === "passed")).toBe(true);
  });
  test("an AlwaysOrUnreachable evaluated false fails", () => {
    expect(judge(alter("fixture: always or unreachable holds", (a) => (a["condition"] = false)))["fixture: always or unreachable holds"]).toBe("failed");
  });
  test("a Sometimes whose true evaluation is dropped fails", () => {
    const lines = records.filter((l) => !(l.includes('"fixture: sometimes true"') && l.includes('"condition":true')));
    expect(judge(lines)["fixture: sometimes true"]).toBe("failed");
  });
  test("an Always that is only declared (hit: false) fails; an AlwaysOrUnreachable only declared passes", () => {
    expect(judge(alter("fixture: always holds", (a) => (a["hit"] = false)))["fixture: always holds"]).toBe("failed");
    expect(judge(alter("fixture: always or unreachable holds", (a) => (a["hit"] = false)))["fixture: always or unreachable holds"]).toBe("passed");
  });
  test("a must_hit flipped turns a Reachable into an Unreachable that was reached", () => {
    expect(judge(alter("fixture: reachable", (a) => (a["must_hit"] = false)))["fixture: reachable"]).toBe("failed");
  });
  test("a record without the SDK's shape is reported as malformed, naming file and line", () => {
    const bad = alter("fixture: reachable", (a) => (a["assert_type"] = "eventually"));
    const parsed = parseSdkText(bad.join("\n"), sourceOf("sdk-svc@main.jsonl"));
    expect(parsed.malformed).toEqual([expect.stringMatching(/^sdk-svc@main\.jsonl:\d+: antithesis_assert assert_type /)]);
  });
  test("a half-written last line (a killed process) is skipped, not malformed", () => {
    const parsed = parseSdkText(`${records[0]}\n${records[3]!.slice(0, 40)}`, sourceOf("sdk-svc@main.jsonl"));
    expect(parsed.malformed).toEqual([]);
  });
});

describe("matching the catalog", () => {
  test("a computed message's properties go to its call site by file and line; one no entry covers goes outside", () => {
    const catalog = scanModules(MODULES);
    const report = (name: string, location: string) => ({
      name, kind: "Always" as const, status: "passed" as const, reason: "", location, examples: 1, counterexamples: 0, sources: [], firstFailure: undefined, link: undefined,
    });
    const tests = matchCatalog(catalog, [report("fixture: computed a", "x/sdkprog/main.go:41 (main.check)"), report("fixture: computed b", "x/sdkprog/main.go:40 (main.check)")]);
    expect(tests.find((t) => t.name === "fixture: computed ‹prop›")!.properties.map((p) => p.name)).toEqual(["fixture: computed a"]);
    expect(tests.find((t) => t.name === OUTSIDE_CATALOG)!.properties.map((p) => p.name)).toEqual(["fixture: computed b"]);
  });
});

test("sdk output file names round-trip service and process", () => {
  expect(sourceOf(sdkOutputFile("server-1", "finally_tracelink"))).toEqual({ file: "sdk-server-1@finally_tracelink.jsonl", service: "server-1", process: "finally_tracelink" });
  expect(sourceOf("sdk.jsonl")).toEqual({ file: "sdk.jsonl", service: undefined, process: undefined });
});
