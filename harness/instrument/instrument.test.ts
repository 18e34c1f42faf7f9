// Instrumentation against the real antithesis-go-instrumentor and Go toolchain, on the two fixture modules in
// fixtures/ (a library with an SDK assertion, and a main module importing it through the workspace).
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fse from "fs-extra";
import { execa, execaSync } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { projectRoot } from "../paths.ts";
import {
  ensureInstrumentor,
  InstrumentError,
  instrumentWorkspace,
  INSTRUMENTOR_VERSION,
  listFiles,
  parseNotifier,
  perModuleNotifier,
} from "./instrument.ts";

const FIXTURES = join(projectRoot, "harness", "instrument", "fixtures");
const MODULES = [
  { name: "lib", dir: join(FIXTURES, "lib") },
  { name: "app", dir: join(FIXTURES, "app") },
];
const CACHE = join(projectRoot, ".cache");
// Instrumenting and compiling take seconds alone, much longer on a machine shared with other builds.
const HOOK_TIMEOUT = 180_000;
const PATH = `${process.env["PATH"] ?? ""}:/usr/local/go/bin`;

/** The harness's build environment (harness/build/go.ts), optionally with cgo. */
function buildEnv(workspace: string, cgo = false): Record<string, string> {
  return { PATH, GOWORK: join(workspace, "go.work"), GOFLAGS: "", CGO_ENABLED: cgo ? "1" : "0", GOOS: "linux", GOARCH: "amd64" };
}

async function buildApp(workspace: string, out: string, cgo = false): Promise<string> {
  await execa("go", ["build", "-trimpath", "-o", out, "./app/cmd/app"], { cwd: workspace, env: buildEnv(workspace, cgo) });
  return out;
}

/** Runs a binary outside Antithesis: no ANTITHESIS_* variables, no /usr/lib/libvoidstar.so. */
async function runApp(binary: string, args: string[]) {
  const env: Record<string, string> = { PATH };
  const r = await execa(binary, args, { env, extendEnv: false, reject: false });
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

// A stand-in for Antithesis's native library, placed at /usr/lib/libvoidstar.so (where the SDK dlopens it)
// only inside a private mount namespace: an overlay of /usr/lib that vanishes with the process.
const fakeAntithesisAvailable =
  execaSync("unshare", ["-m", "true"], { reject: false }).exitCode === 0 && execaSync("gcc", ["--version"], { reject: false }).exitCode === 0;
let fakeLibDir = "";

async function runInFakeAntithesis(binary: string, args: string[], extra: Record<string, string>) {
  const log = join(await mkdtemp(join(root, "voidstar-")), "calls.log");
  const script = `mount -t overlay overlay -o lowerdir=${fakeLibDir}:/usr/lib /usr/lib && exec "$@"`;
  const r = await execa("unshare", ["-m", "sh", "-c", script, "sh", binary, ...args], {
    env: { PATH, FAKE_VOIDSTAR_LOG: log, ...extra },
    extendEnv: false,
    reject: false,
  });
  const calls = (await fse.pathExists(log)) ? await readFile(log, "utf8") : "";
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, log: calls };
}

let root = "";
let instrumentor = "";
let plain = ""; // the fixture built without instrumentation: the reference behaviour

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "instrument-"));
  instrumentor = await ensureInstrumentor(INSTRUMENTOR_VERSION, CACHE);
  const ws = join(root, "plain");
  await fse.ensureDir(ws);
  for (const m of MODULES) await fse.copy(m.dir, join(ws, m.name));
  await execa("go", ["work", "init", "./lib", "./app"], { cwd: ws, env: { PATH, GOWORK: "" } });
  plain = await buildApp(ws, join(root, "app.plain"));
  if (fakeAntithesisAvailable) {
    fakeLibDir = join(root, "fakelib");
    await fse.ensureDir(fakeLibDir);
    await execa("gcc", ["-shared", "-fPIC", "-O1", "-o", join(fakeLibDir, "libvoidstar.so"), join(FIXTURES, "voidstar", "fake_voidstar.c")]);
  }
}, HOOK_TIMEOUT);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("ensureInstrumentor", () => {
  test("installs the pinned release into the cache once and reports its version", async () => {
    expect(instrumentor).toBe(join(CACHE, `instrumentor-${INSTRUMENTOR_VERSION}`, "antithesis-go-instrumentor"));
    const { stdout } = await execa(instrumentor, ["-version"]);
    expect(stdout).toContain(INSTRUMENTOR_VERSION.slice(1));
    const started = Date.now();
    expect(await ensureInstrumentor(INSTRUMENTOR_VERSION, CACHE)).toBe(instrumentor);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test("refuses a version that is not a release", async () => {
    await expect(ensureInstrumentor("latest", CACHE)).rejects.toThrow(/"latest" is not a release version/);
  });
});

describe("instrumentWorkspace with two instrumented modules", () => {
  let ws = "";
  let result: Awaited<ReturnType<typeof instrumentWorkspace>>;
  const steps: string[] = [];

  beforeAll(async () => {
    ws = join(root, "two");
    result = await instrumentWorkspace(MODULES, ["lib", "app"], ws, { instrumentor, env: { PATH }, onStep: (s) => steps.push(s) });
  }, HOOK_TIMEOUT);

  test("gives each module its own notifier module and symbol table, and a go.work over all of them", async () => {
    expect(steps).toEqual(["Instrumenting module lib", "Instrumenting module app"]);
    expect(result.notifiers.map((n) => n.module)).toEqual(["lib", "app"]);
    const [lib, app] = result.notifiers;
    expect(lib?.modulePath).not.toBe(app?.modulePath);
    expect(lib?.symbolTable).not.toBe(app?.symbolTable);
    const files = await listFiles(ws);
    expect(files.filter((f) => f.startsWith(".instrument"))).toEqual([]);
    const work = await readFile(join(ws, "go.work"), "utf8");
    for (const n of result.notifiers) {
      expect(files).toContain(`${n.dir}/notifier.go`);
      expect(work).toContain(`./${n.dir}`);
      expect(await readFile(join(ws, n.dir, "go.mod"), "utf8")).toMatch(new RegExp(`^module ${n.modulePath}$`, "m"));
      // The customer module requires its notifier and finds it in the workspace.
      const customer = await readFile(join(ws, n.module, "go.mod"), "utf8");
      expect(customer).toContain(`${n.modulePath} => ../${n.dir}`);
      // The symbol table names itself after the file the notifier registers, and numbers exactly its edges.
      const table = await readFile(join(result.symbolsDir, n.symbolTable), "utf8");
      expect(table).toContain(`# module = ${n.symbolTable.replace(/\.sym\.tsv$/, "")}`);
      const rows = table.split("\n").filter((l) => l && !l.startsWith("#") && !l.startsWith("file\t"));
      expect(rows.length).toBe(n.edges);
      // Paths are workspace-relative, naming files of the module itself.
      for (const row of rows) expect(row.split("\t")[0]).toMatch(new RegExp(`^${n.module}/.+\\.go$`));
    }
    expect((await readdir(result.symbolsDir)).sort()).toEqual(result.notifiers.map((n) => n.symbolTable).sort());
    // Both modules really are instrumented: their code calls their own notifier.
    expect(await readFile(join(ws, "lib", "counter", "counter.go"), "utf8")).toContain(lib?.modulePath);
    expect(await readFile(join(ws, "app", "cmd", "app", "main.go"), "utf8")).toContain(app?.modulePath);
  });

  test("builds a binary that starts and behaves as the uninstrumented one (CGO_ENABLED=0, as the harness builds)", async () => {
    const binary = await buildApp(ws, join(root, "app.two"));
    for (const args of [["7", "27"], ["1"], ["x"]]) {
      const got = await runApp(binary, args);
      const want = await runApp(plain, args);
      expect(got).toEqual(want);
    }
    expect((await runApp(binary, ["7", "27"])).stdout).toMatch(/^steps=\d+$/);
  });

  test("builds with cgo as well, and without libvoidstar.so it runs as the uninstrumented one", async () => {
    const binary = await buildApp(ws, join(root, "app.two.cgo"), true);
    expect(await runApp(binary, ["7", "27"])).toEqual(await runApp(plain, ["7", "27"]));
  });
});

test("a workspace with one of the two modules instrumented builds and runs", async () => {
  const ws = join(root, "one");
  const result = await instrumentWorkspace(MODULES, ["app"], ws, { instrumentor, env: { PATH } });
  expect(result.notifiers.map((n) => n.module)).toEqual(["app"]);
  expect(await readFile(join(ws, "lib", "counter", "counter.go"), "utf8")).toBe(await readFile(join(FIXTURES, "lib", "counter", "counter.go"), "utf8"));
  const binary = await buildApp(ws, join(root, "app.one"));
  expect(await runApp(binary, ["9"])).toEqual(await runApp(plain, ["9"]));
});

test("refuses to instrument a module the workspace does not have", async () => {
  await expect(instrumentWorkspace(MODULES, ["raft"], join(root, "bad"), { instrumentor })).rejects.toThrow(
    /cannot instrument module "raft": not one of the workspace's modules \(lib, app\)/,
  );
});

describe("the generated notifier", () => {
  const generated = `package z4a1b45a05078

// ----------------------------------------------------
// Generated by Antithesis instrumentor - do not modify
// ----------------------------------------------------

import "github.com/antithesishq/antithesis-sdk-go/instrumentation"

func init() {
\tinstrumentation.InitializeModule("go-4a1b45a05078.sym.tsv", 12)
}

func Notify(edge int) {
\tinstrumentation.Notify(edge)
}

`;
  test("is parsed and rewritten onto RegisterModule", () => {
    const parsed = parseNotifier(generated, "notifier.go");
    expect(parsed).toEqual({ pkg: "z4a1b45a05078", symbolTable: "go-4a1b45a05078.sym.tsv", edges: 12 });
    const rewritten = perModuleNotifier(parsed.pkg, parsed.symbolTable, parsed.edges);
    expect(rewritten).toContain('var module = instrumentation.RegisterModule("go-4a1b45a05078.sym.tsv", 12)');
    expect(rewritten).not.toMatch(/instrumentation\.InitializeModule\(/);
  });

  test("in any other shape is refused, naming the file", () => {
    const changed = generated.replace("InitializeModule", "RegisterModule");
    expect(() => parseNotifier(changed, "out/notifier/notifier.go")).toThrow(InstrumentError);
    expect(() => parseNotifier(changed, "out/notifier/notifier.go")).toThrow(/^out\/notifier\/notifier\.go: not the notifier/);
  });
});

// The seed's procedure (PGo antithesis.mill, buildWorkspace): instrument each module into its own output,
// merge every notifier/ into one workspace notifier module (notifier.go moved into a folder named after its
// package), merge symbols/, `go work use` everything. Its binary must crash at start-up: this is the bug.
describe("the seed's procedure with two instrumented modules", () => {
  let ws = "";
  beforeAll(async () => {
    ws = join(root, "seed");
    await fse.ensureDir(join(ws, "notifier"));
    await fse.ensureDir(join(ws, "symbols"));
    const src = join(root, "seed-src");
    for (const m of MODULES) await fse.copy(m.dir, join(src, m.name));
    for (const m of MODULES) {
      const out = join(root, "seed-out", m.name);
      await fse.ensureDir(out);
      // GOFLAGS=-e only so the instrumentor's `go mod tidy` tolerates app importing lib without a require line.
      await execa(instrumentor, [join(src, m.name), out], { env: { PATH, GOFLAGS: "-e", GOWORK: "off" } });
      await fse.copy(join(out, "notifier"), join(ws, "notifier"), { overwrite: true });
      const pkg = /^package (\w+)/.exec(await readFile(join(ws, "notifier", "notifier.go"), "utf8"))?.[1] ?? "";
      await fse.move(join(ws, "notifier", "notifier.go"), join(ws, "notifier", pkg, "notifier.go"));
      await fse.copy(join(out, "symbols"), join(ws, "symbols"));
      await fse.copy(join(out, "customer"), join(ws, m.name));
    }
    await fse.writeFile(join(ws, "go.work"), "go 1.24.0\n");
    await execa("go", ["work", "use", "./notifier", "./lib", "./app"], { cwd: ws, env: { PATH, GOWORK: "" } });
  }, HOOK_TIMEOUT);

  function expectInitPanic(r: { exitCode: number | undefined; stdout: string; stderr: string }): void {
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("panic: InitializeModule() has already been called!");
    expect(r.stderr).toMatch(/antithesis\.notifier\/z[0-9a-f]+\.init/);
  }

  test("yields a binary that panics at start-up, outside Antithesis", async () => {
    expectInitPanic(await runApp(await buildApp(ws, join(root, "app.seed")), ["7"]));
  });

  test.skipIf(!fakeAntithesisAvailable)("yields a cgo binary that panics at start-up with libvoidstar.so loaded too", async () => {
    const r = await runInFakeAntithesis(await buildApp(ws, join(root, "app.seed.cgo"), true), ["7"], {});
    expectInitPanic(r);
    // The SDK had loaded the library: the panic is the Go-side check, not a library failure.
    expect(r.log).toContain("antithesis_sdk");
  });
});

describe.skipIf(!fakeAntithesisAvailable)("under a stand-in libvoidstar.so (fixtures/voidstar)", () => {
  let ws = "";
  beforeAll(async () => {
    ws = join(root, "two-voidstar");
    await instrumentWorkspace(MODULES, ["lib", "app"], ws, { instrumentor, env: { PATH } });
  }, HOOK_TIMEOUT);

  test("a cgo binary registers each instrumented module with its own offset and reports edges of both", async () => {
    const symbols = await readdir(join(ws, "symbols"));
    const r = await runInFakeAntithesis(await buildApp(ws, join(root, "app.voidstar"), true), ["7", "27"], {});
    expect({ exitCode: r.exitCode, stdout: r.stdout }).toEqual(await runApp(plain, ["7", "27"]).then((p) => ({ exitCode: p.exitCode, stdout: p.stdout })));
    const lines = r.log.split("\n");
    const modules = lines
      .filter((l) => l.startsWith("init "))
      .map((l) => {
        const [, table, edges, offset] = l.split(" ");
        return { table: table ?? "", edges: Number(edges), offset: Number(offset), hits: 0 };
      });
    expect(modules.map((m) => m.table).sort()).toEqual(symbols.sort());
    for (const m of modules) {
      const rows = (await readFile(join(ws, "symbols", m.table), "utf8")).split("\n").filter((l) => /^\S+\.go\t/.test(l));
      expect(m.edges).toBe(rows.length);
    }
    for (const edge of lines.filter((l) => l.startsWith("edge ")).map((l) => Number(l.slice(5)))) {
      const owners = modules.filter((m) => edge > m.offset && edge <= m.offset + m.edges);
      expect(owners, `edge ${edge} belongs to exactly one module`).toHaveLength(1);
      owners[0]!.hits++;
    }
    for (const m of modules) expect(m.hits, `hits in ${m.table}`).toBeGreaterThan(0);
  });

  test("a binary built with CGO_ENABLED=0 (the harness's default) registers no coverage and reports degraded mode", async () => {
    const outDir = join(root, "antithesis-output");
    await fse.ensureDir(outDir);
    const r = await runInFakeAntithesis(await buildApp(ws, join(root, "app.voidstar.nocgo")), ["7"], { ANTITHESIS_OUTPUT_DIR: outDir });
    expect(r.exitCode).toBe(0);
    expect(r.log).toBe("");
    const sdk = await readFile(join(outDir, "sdk.jsonl"), "utf8");
    const degraded = sdk
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { antithesis_assert?: { message: string; condition: boolean } })
      .find((j) => j.antithesis_assert?.message === "Go application under test compiled with CGO enabled");
    expect(degraded?.antithesis_assert?.condition).toBe(false);
  });
});
