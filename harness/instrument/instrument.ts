// Coverage instrumentation for Antithesis: antithesis-go-instrumentor run on the modules a system opts in, and
// a Go workspace assembled from its output that builds and starts with any number of instrumented modules.
//
// Why the seed's procedure (PGo antithesis.mill) crashes with two instrumented modules: for every module the
// instrumentor (v0.8.0, scanners/coverage/notifier_output.go:41-43) generates a notifier package whose init()
// calls instrumentation.InitializeModule(symbols, edges), and InitializeModule keeps ONE process-wide module
// (instrumentation/notify.go:35-39) and panics "InitializeModule() has already been called!" on the second
// call. One binary linking two instrumented modules links two notifiers, so it panics before main — in or out
// of Antithesis, cgo or not (the check is in Go, before the native library is consulted). The SDK's per-module
// API (instrumentation/module.go: RegisterModule returns a *Module with its own edge offset and leases) is what
// several modules need; the instrumentor does not generate it yet, so each generated notifier is rewritten to
// use it, and each notifier becomes its own module under the path its customer module already requires.
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import fse from "fs-extra";
import { execa, ExecaError } from "execa";

export const INSTRUMENTOR_PACKAGE = "github.com/antithesishq/antithesis-sdk-go/tools/antithesis-go-instrumentor";
/** The pinned release: the SDK version the systems' go.mod files require, and the newest published. */
export const INSTRUMENTOR_VERSION = "v0.8.0";

export class InstrumentError extends Error {
  override name = "InstrumentError";
}

export interface InstrumentModule {
  /** Directory name inside the workspace (as in the system definition). */
  readonly name: string;
  /** The module's source directory (holding go.mod). */
  readonly dir: string;
}

export interface InstrumentOptions {
  /** Path of the antithesis-go-instrumentor binary (see ensureInstrumentor). */
  readonly instrumentor: string;
  /** Environment for go and the instrumentor (PATH with go on it, at least); merged over process.env. */
  readonly env?: Readonly<Record<string, string>>;
  /** Called with each step, for progress logs. */
  readonly onStep?: (message: string) => void;
}

export interface Notifier {
  /** The instrumented module it belongs to. */
  readonly module: string;
  /** Its Go module path, e.g. antithesis.notifier/z4a1b45a05078. */
  readonly modulePath: string;
  /** Workspace-relative directory, e.g. notifier/z4a1b45a05078. */
  readonly dir: string;
  /** The symbol table file name the notifier registers (found in <workspace>/symbols). */
  readonly symbolTable: string;
  readonly edges: number;
}

export interface InstrumentedWorkspace {
  readonly workspace: string;
  /** <workspace>/symbols: every symbol table, to be shipped at /symbols in the config image. */
  readonly symbolsDir: string;
  readonly notifiers: readonly Notifier[];
}

// Not copied into the workspace: VCS data, dependencies and the harness's own output.
const SKIP = new Set([".git", "node_modules", ".cache", "runs"]);
const STAGING = ".instrument";
const NOTIFIER_DIR = "notifier";
const SYMBOLS_DIR = "symbols";

function fullEnv(env: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) merged[k] = v;
  Object.assign(merged, env ?? {});
  // Go's installer location is added so a shell without it on PATH still works.
  const path = merged["PATH"] ?? "";
  if (!path.split(":").includes("/usr/local/go/bin")) merged["PATH"] = `${path}:/usr/local/go/bin`;
  return merged;
}

async function run(cmd: string, args: readonly string[], cwd: string, env: Record<string, string>): Promise<string> {
  try {
    const { all } = await execa(cmd, args, { cwd, env, extendEnv: false, all: true });
    return String(all ?? "");
  } catch (err) {
    const output = err instanceof ExecaError ? String(err.all ?? err.message) : String(err);
    throw new InstrumentError(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${output.split("\n").slice(-30).join("\n")}`);
  }
}

/**
 * Installs antithesis-go-instrumentor at `version` into `<cacheDir>/instrumentor-<version>` (GOBIN, never
 * system-wide) unless it is already there, and returns the binary's path.
 */
export async function ensureInstrumentor(
  version: string,
  cacheDir: string,
  env?: Readonly<Record<string, string>>,
): Promise<string> {
  if (!/^v\d+\.\d+\.\d+$/.test(version)) {
    throw new InstrumentError(`instrumentor version "${version}" is not a release version like v0.8.0`);
  }
  const binDir = join(cacheDir, `instrumentor-${version}`);
  const binary = join(binDir, "antithesis-go-instrumentor");
  if (await fse.pathExists(binary)) return binary;
  // Installed into a private directory then renamed: concurrent callers never see a half-written binary.
  const tmp = `${binDir}.tmp-${process.pid}-${Date.now()}`;
  await fse.ensureDir(tmp);
  try {
    const e = fullEnv(env);
    e["GOBIN"] = tmp;
    // Installing a tool ignores any workspace and must not inherit a cross-compilation target.
    e["GOWORK"] = "off";
    e["GOFLAGS"] = "";
    delete e["GOOS"];
    delete e["GOARCH"];
    await run("go", ["install", `${INSTRUMENTOR_PACKAGE}@${version}`], tmp, e);
    const out = await run(join(tmp, "antithesis-go-instrumentor"), ["-version"], tmp, e);
    if (!out.includes(version.slice(1))) {
      throw new InstrumentError(`antithesis-go-instrumentor@${version} reports a different version: ${out.trim()}`);
    }
    try {
      await rename(tmp, binDir);
    } catch (err) {
      // Another caller won the race; its binary is as good as ours.
      if (!(await fse.pathExists(binary))) throw err;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return binary;
}

/** What the instrumentor generates for notifier.go (v0.8.0); anything else is refused rather than guessed at. */
const GENERATED_NOTIFIER =
  /^package (z[0-9a-f]+)\n[\s\S]*?import "github\.com\/antithesishq\/antithesis-sdk-go\/instrumentation"\s*func init\(\) \{\s*instrumentation\.InitializeModule\("([^"\n]+)", (\d+)\)\s*\}\s*func Notify\(edge int\) \{\s*instrumentation\.Notify\(edge\)\s*\}\s*$/;

/** Parses a generated notifier.go; exported for tests. */
export function parseNotifier(source: string, where: string): { pkg: string; symbolTable: string; edges: number } {
  const m = GENERATED_NOTIFIER.exec(source);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) {
    throw new InstrumentError(
      `${where}: not the notifier antithesis-go-instrumentor ${INSTRUMENTOR_VERSION} generates (expected package z<hash> calling instrumentation.InitializeModule)`,
    );
  }
  return { pkg: m[1], symbolTable: m[2], edges: Number(m[3]) };
}

/** The notifier rewritten onto the per-module API, so any number of them can live in one process. */
export function perModuleNotifier(pkg: string, symbolTable: string, edges: number): string {
  return `package ${pkg}

// Generated by antithesis-go-instrumentor, then rewritten by the harness (harness/instrument/instrument.ts):
// RegisterModule gives this module its own edge offset, where the generated InitializeModule would panic in
// a binary with a second instrumented module.

import "github.com/antithesishq/antithesis-sdk-go/instrumentation"

var module = instrumentation.RegisterModule(${JSON.stringify(symbolTable)}, ${edges})

func Notify(edge int) {
	module.Notify(edge)
}
`;
}

async function copyModule(from: string, to: string): Promise<void> {
  await fse.copy(from, to, { filter: (src) => !SKIP.has(src.slice(src.lastIndexOf("/") + 1)) });
}

/**
 * Builds a Go workspace in `workspaceDir` from `modules`: those named in `instrumented` run through the
 * instrumentor, each with its own notifier module in notifier/<package>, the others copied as they are; every
 * symbol table in <workspaceDir>/symbols; go.work using all of it.
 */
export async function instrumentWorkspace(
  modules: readonly InstrumentModule[],
  instrumented: readonly string[],
  workspaceDir: string,
  opts: InstrumentOptions,
): Promise<InstrumentedWorkspace> {
  const names = new Set(modules.map((m) => m.name));
  for (const name of instrumented) {
    if (!names.has(name)) {
      throw new InstrumentError(`cannot instrument module "${name}": not one of the workspace's modules (${[...names].join(", ")})`);
    }
  }
  if (names.size !== modules.length) throw new InstrumentError(`module names must be distinct: ${modules.map((m) => m.name).join(", ")}`);
  const step = opts.onStep ?? (() => {});
  const env = fullEnv(opts.env);

  await fse.emptyDir(workspaceDir);
  const staging = join(workspaceDir, STAGING);
  const srcRoot = join(staging, "src");
  const symbolsDir = join(workspaceDir, SYMBOLS_DIR);
  await fse.ensureDir(symbolsDir);

  // The instrumentor loads packages to catalog assertions: it sees the sibling modules through a go.work over
  // clean copies of all of them. Its `go mod tidy` ignores go.work and cannot resolve a sibling module that is
  // imported without a require line (as the systems do); -e lets tidy finish with what it can resolve.
  for (const m of modules) await copyModule(m.dir, join(srcRoot, m.name));
  await run("go", ["work", "init", ...modules.map((m) => `./${m.name}`)], srcRoot, { ...env, GOWORK: "" });
  const instrEnv: Record<string, string> = { ...env, GOWORK: join(srcRoot, "go.work"), GOFLAGS: "-e" };
  delete instrEnv["GOOS"];
  delete instrEnv["GOARCH"];

  const notifiers: Notifier[] = [];
  for (const m of modules) {
    const dest = join(workspaceDir, m.name);
    if (!instrumented.includes(m.name)) {
      await copyModule(m.dir, dest);
      continue;
    }
    step(`Instrumenting module ${m.name}`);
    const src = join(srcRoot, m.name);
    const out = join(staging, "out", m.name);
    await fse.ensureDir(out);
    const log = await run(opts.instrumentor, [src, out], staging, instrEnv);
    const notifierSrc = join(out, NOTIFIER_DIR, "notifier.go");
    if (!(await fse.pathExists(join(out, "customer", "go.mod"))) || !(await fse.pathExists(notifierSrc))) {
      throw new InstrumentError(
        `antithesis-go-instrumentor produced no instrumented module for ${m.name} (no customer/go.mod or notifier/notifier.go in ${out}):\n${log.split("\n").slice(-20).join("\n")}`,
      );
    }
    const { pkg, symbolTable, edges } = parseNotifier(await readFile(notifierSrc, "utf8"), notifierSrc);
    const modulePath = `antithesis.notifier/${pkg}`;
    const notifierDir = join(NOTIFIER_DIR, pkg);
    if (notifiers.some((n) => n.modulePath === modulePath)) {
      throw new InstrumentError(`modules ${notifiers.find((n) => n.modulePath === modulePath)?.module} and ${m.name} have the same content hash ${pkg}`);
    }

    // The notifier as a module of its own, under the path the customer module requires (the instrumentor
    // names it just "antithesis.notifier", which the seed papered over by merging every notifier into one).
    await fse.copy(join(out, NOTIFIER_DIR), join(workspaceDir, notifierDir));
    await writeFile(join(workspaceDir, notifierDir, "notifier.go"), perModuleNotifier(pkg, symbolTable, edges));
    await run("go", ["mod", "edit", `-module=${modulePath}`], join(workspaceDir, notifierDir), { ...env, GOWORK: "off" });

    await rename(join(out, "customer"), dest);
    // Its replace pointed at ../notifier, next to the instrumentor's output. go.work's `use` alone is not
    // enough: Go still fetches the required v0.0.0's go.mod from the proxy unless a replace covers it.
    await run("go", ["mod", "edit", `-replace=${modulePath}=../${notifierDir}`], dest, { ...env, GOWORK: "off" });

    for (const file of await readdir(join(out, SYMBOLS_DIR))) {
      const target = join(symbolsDir, file);
      if (await fse.pathExists(target)) throw new InstrumentError(`symbol table ${file} of module ${m.name} is already in ${symbolsDir}`);
      const text = await readFile(join(out, SYMBOLS_DIR, file), "utf8");
      // File paths relative to the workspace: the staging copy is deleted, and paths stay the same across caches.
      await writeFile(target, text.split(`${srcRoot}/`).join(""));
    }
    if (!(await fse.pathExists(join(symbolsDir, symbolTable)))) {
      throw new InstrumentError(`notifier of ${m.name} registers symbol table ${symbolTable}, which the instrumentor did not write`);
    }
    notifiers.push({ module: m.name, modulePath, dir: notifierDir, symbolTable, edges });
  }
  await rm(staging, { recursive: true, force: true });

  // `go work init` picks a go line that satisfies every module.
  await run(
    "go",
    ["work", "init", ...modules.map((m) => `./${m.name}`), ...notifiers.map((n) => `./${n.dir}`)],
    workspaceDir,
    { ...env, GOWORK: "" },
  );
  return { workspace: workspaceDir, symbolsDir, notifiers };
}

/** Relative paths of the files under dir, sorted (for reports and tests). */
export async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const entry of await readdir(d)) {
      const p = join(d, entry);
      if ((await stat(p)).isDirectory()) await walk(p);
      else found.push(relative(dir, p));
    }
  }
  await walk(dir);
  return found.sort();
}
