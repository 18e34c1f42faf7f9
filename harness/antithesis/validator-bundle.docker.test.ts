// The validator as it is shipped in the images: bundled by esbuild, run by the stripped Node binary, in a real
// container built FROM the project's base image, through dqueue's real finally_tracelink script. It must agree
// with TLC's recorded verdicts on our dqueue fixtures (testdata/tracelink/ours/dqueue/verdicts.tsv: runs that
// pass, and semantic mutants TLC rejects), and report through the SDK's JSONL protocol.
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TESTDATA } from "../../testdata/paths.ts";
import { resolveBaseImage } from "../image/base-image.ts";
import { dockerClient } from "../docker/client.ts";
import { logger } from "../log.ts";
import { projectRoot } from "../paths.ts";
import { loadSettings } from "../settings.ts";
import { main } from "../tracelink/in-container.ts";
import { BEHAVIOUR_PROPERTY, VALIDATED_PROPERTY } from "../tracelink/in-container-properties.ts";
import { specForBuild, stageValidator } from "./validator-bundle.ts";

const FIXTURES = join(TESTDATA, "tracelink/ours/dqueue");
const SPEC = join(projectRoot, "systems/dqueue/dqueue.tla");
const root = await mkdtemp(join(tmpdir(), "validator-bundle-"));
const tag = `pgo-harness/validator-bundle-test:${process.pid}`;
afterAll(async () => {
  await execa("docker", ["image", "rm", "-f", tag], { reject: false });
  await rm(root, { recursive: true, force: true });
});

/** An image FROM the base image with the staged validator and dqueue's finally_tracelink, as the real images have them. */
async function buildValidatorImage(system: Parameters<typeof stageValidator>[0], context: string, imageTag: string): Promise<void> {
  await stageValidator(system, join(context, "validator"), join(root, "cache"), logger("test", () => {}));
  await cp(join(projectRoot, "antithesis/dqueue/finally_tracelink"), join(context, "finally_tracelink"));
  await writeFile(join(context, "Dockerfile"), "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY validator/ /opt/pgo-validator/\nCOPY finally_tracelink /finally_tracelink\nRUN chmod 0755 /finally_tracelink\n");
  const base = await resolveBaseImage(loadSettings(process.env), dockerClient(), logger("test", () => {}));
  await execa("docker", ["build", "-q", "--build-arg", `BASE_IMAGE=${base}`, "-t", imageTag, context]);
}

/** TLC's verdicts on the fixtures: case → pass/fail. */
async function tlcVerdicts(): Promise<Map<string, "pass" | "fail">> {
  const rows = (await readFile(join(FIXTURES, "verdicts.tsv"), "utf8")).trim().split("\n").slice(1);
  return new Map(rows.map((r) => r.split("\t")).map(([c, v]) => [c!, v === "pass" ? "pass" : "fail"]));
}

const asserts = async (file: string) =>
  (await readFile(file, "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as { antithesis_assert: { message: string; hit: boolean; condition: boolean; details: Record<string, unknown> | null } }).antithesis_assert);

describe("in-process: main() agrees with TLC on every fixture and reports both properties", async () => {
  const verdicts = await tlcVerdicts();
  test.each([...verdicts])("%s: TLC says %s", async (c, v) => {
    const out = join(root, `${c}.jsonl`);
    const code = await main(["--spec", SPEC, join(FIXTURES, c)], { ANTITHESIS_SDK_LOCAL_OUTPUT: out });
    expect(code).toBe(v === "pass" ? 0 : 1);
    const records = await asserts(out);
    // Declared first (hit: false), then evaluated once each.
    expect(records.slice(0, 2).map((r) => r.hit)).toEqual([false, false]);
    const behaviour = records.filter((r) => r.message === BEHAVIOUR_PROPERTY && r.hit);
    expect(behaviour.map((r) => r.condition)).toEqual([v === "pass"]);
    expect(records.filter((r) => r.message === VALIDATED_PROPERTY && r.hit).map((r) => r.condition)).toEqual([true]);
    if (v === "fail") expect(String(behaviour[0]!.details?.["explanation"])).not.toBe("");
  });
  test("the consumer that outputs an item it never received: the explanation names the proc write", async () => {
    const out = join(root, "proc.jsonl");
    expect(await main(["--spec", SPEC, join(FIXTURES, "3items-proc-unreceived")], { ANTITHESIS_SDK_LOCAL_OUTPUT: out })).toBe(1);
    const [violation] = (await asserts(out)).filter((r) => r.message === BEHAVIOUR_PROPERTY && r.hit);
    expect(String(violation!.details!["explanation"])).toMatch(/proc/);
  });
  test("unusable input exits 2 and says why; the Sometimes is hit but false", async () => {
    const out = join(root, "empty.jsonl");
    const empty = join(root, "empty-traces");
    await mkdir(empty);
    expect(await main(["--spec", SPEC, empty], { ANTITHESIS_SDK_LOCAL_OUTPUT: out })).toBe(2);
    expect((await asserts(out)).filter((r) => r.hit)).toEqual([expect.objectContaining({ message: VALIDATED_PROPERTY, condition: false })]);
    expect(await main(["--spec", join(root, "nope.tla"), empty], {})).toBe(2);
  });
});

describe("shipped: bundle + stripped Node + finally_tracelink in a container from the base image", () => {
  let context: string;
  beforeAll(async () => {
    context = join(root, "context");
    await buildValidatorImage({ name: "dqueue", spec: SPEC, checkout: undefined }, context, tag);
  }, 600_000);

  test("the context holds no JVM, a Node for linux/amd64 and the spec", async () => {
    const files = await readdir(join(context, "validator"));
    expect(files.sort()).toEqual(["SPEC", "node", "pgo-validate.mjs", "spec"]);
    expect(await readdir(join(context, "validator", "spec"))).toContain("dqueue.tla");
    const r = await execa("docker", ["run", "--rm", "--entrypoint", "sh", tag, "-c", "command -v java || echo no-java; /opt/pgo-validator/node --version"]);
    expect(r.stdout).toMatch(/^no-java\nv24\./);
  });

  test.each([["run-3items", 0], ["3items-proc-unreceived", 1], ["3items-producer-out-of-order", 1]] as const)("%s exits %i, with the verdict in the SDK output", async (c, expected) => {
    const traces = join(root, `vol-${c}`);
    const sdk = join(root, `sdk-${c}`);
    await cp(join(FIXTURES, c), traces, { recursive: true });
    await mkdir(sdk);
    const r = await execa("docker", ["run", "--rm", "-v", `${traces}:/traces:ro`, "-v", `${sdk}:/sdk`, "-e", "PGO_TRACE_DIR=/traces", "-e", "ANTITHESIS_OUTPUT_DIR=/sdk", tag, "/finally_tracelink"], { reject: false });
    expect(r.exitCode, r.stdout + r.stderr).toBe(expected);
    if (expected === 1) expect(r.stdout).toMatch(/VIOLATION: the traces are not a behaviour of the design/);
    const behaviour = (await asserts(join(sdk, "sdk.jsonl"))).filter((a) => a.message === BEHAVIOUR_PROPERTY && a.hit);
    expect(behaviour.map((a) => a.condition)).toEqual([expected === 0]);
  });
});

// PGo's raftkvs keeps its constants in one file per server count (raftkvsValidate3.cfg), not in the default
// <spec>Validate.cfg: the definition's pgo.specCfg must travel into the image and reach the validator there.
describe("a PGo build's constants file (pgo.specCfg) travels with its spec", () => {
  const checkout = join(root, "checkout");
  const ctx = join(root, "context-cfg");
  const cfgTag = `${tag}-cfg`;
  afterAll(async () => {
    await execa("docker", ["image", "rm", "-f", cfgTag], { reject: false });
  });
  beforeAll(async () => {
    // A checkout whose spec has no <spec>Validate.cfg: only the named file gives its constants a value.
    await mkdir(join(checkout, "systems/dqueue"), { recursive: true });
    await cp(SPEC, join(checkout, "systems/dqueue/dqueue.tla"));
    await cp(join(projectRoot, "systems/dqueue/dqueueValidate.cfg"), join(checkout, "systems/dqueue/dqueueConsts.cfg"));
    const system = { name: "dqueue", spec: SPEC, checkout, pgo: { specCfg: "systems/dqueue/dqueueConsts.cfg" } };
    await buildValidatorImage(system, ctx, cfgTag);
  }, 600_000);

  test("the context names the file, and finally_tracelink validates with it", async () => {
    expect((await readFile(join(ctx, "validator", "CFG"), "utf8")).trim()).toBe("dqueueConsts.cfg");
    expect((await readdir(join(ctx, "validator", "spec"))).sort()).toEqual(["dqueue.tla", "dqueueConsts.cfg"]);
    const traces = join(root, "vol-cfg");
    await cp(join(FIXTURES, "run-3items"), traces, { recursive: true });
    const ok = await execa("docker", ["run", "--rm", "-v", `${traces}:/traces:ro`, "-e", "PGO_TRACE_DIR=/traces", cfgTag, "/finally_tracelink"], { reject: false });
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    // Without the CFG file the same image cannot give the constants a value: unusable (2), not a pass.
    const bare = await execa("docker", ["run", "--rm", "-v", `${traces}:/traces:ro`, "-e", "PGO_TRACE_DIR=/traces", "--entrypoint", "sh", cfgTag, "-c", "rm /opt/pgo-validator/CFG && /finally_tracelink"], { reject: false });
    expect(bare.exitCode, bare.stdout + bare.stderr).toBe(2);
    expect(bare.stderr).toMatch(/has no value/);
  });

  test("a named constants file missing from the checkout is a clear error", () => {
    expect(() => specForBuild({ name: "dqueue", spec: SPEC, checkout, pgo: { specCfg: "systems/dqueue/nope.cfg" } })).toThrow(/nope\.cfg \(pgo\.specCfg\) does not exist/);
  });
});
