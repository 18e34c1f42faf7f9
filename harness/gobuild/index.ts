// Stage 1: build. Workspace + binaries, cached by the hash of every input: when nothing changed, nothing runs.
import { join } from "node:path";
import fse from "fs-extra";
import type { Logger } from "../log.ts";
import type { SystemDefinition } from "../system.ts";
import { hashInputs, short } from "./hash.ts";
import { assembleWorkspace } from "./workspace.ts";
import { buildBinary, goEnv, goVersion } from "./go.ts";
import { ensureInstrumentor, instrumentWorkspace, INSTRUMENTOR_VERSION } from "../instrument/instrument.ts";

export interface BuildResult {
  readonly hash: string;
  /** The assembled Go workspace (kept for debugging: `cd` there and run go commands). */
  readonly workspace: string;
  /** Directory holding every built binary, by its name. */
  readonly binDir: string;
  readonly binaries: Readonly<Record<string, string>>;
  /** true when the result came from the cache and nothing was compiled. */
  readonly cached: boolean;
  /** With instrumentation: the symbol tables, shipped at /symbols in the Antithesis config image. */
  readonly symbolsDir: string | undefined;
}

export interface BuildOptions {
  /** Modules to instrument with antithesis-go-instrumentor (Antithesis coverage); default none. */
  readonly instrument?: readonly string[];
  /** Build with cgo (needed on Antithesis: the SDK reaches its coverage library through cgo). */
  readonly cgo?: boolean;
}

export async function build(system: SystemDefinition, cacheDir: string, log: Logger, opts: BuildOptions = {}): Promise<BuildResult> {
  const go = await goVersion();
  const instrument = [...(opts.instrument ?? [])].sort();
  const cgo = opts.cgo === true;
  const hash = await hashInputs([
    "build/v1",
    go,
    JSON.stringify({ instrument, instrumentor: instrument.length > 0 ? INSTRUMENTOR_VERSION : undefined, cgo }),
    JSON.stringify(system.binaries),
    JSON.stringify(system.modules.map((m) => m.name)),
    ...system.modules.map((m) => ({ tree: m.dir })),
  ]);
  const dir = join(cacheDir, "build", `${system.name}-${short(hash)}`);
  const workspace = join(dir, "ws");
  const binDir = join(dir, "bin");
  const marker = join(dir, "complete");
  const binaries = Object.fromEntries(system.binaries.map((b) => [b.name, join(binDir, b.name)]));
  const symbolsDir = instrument.length > 0 ? join(workspace, "symbols") : undefined;
  if (await fse.pathExists(marker)) {
    log.info(`build ${short(hash)} is up to date (${go}${instrument.length > 0 ? `, instrumented: ${instrument.join(", ")}` : ""}); nothing to compile`);
    return { hash, workspace, binDir, binaries, cached: true, symbolsDir };
  }
  await fse.remove(dir);
  if (instrument.length > 0) {
    const instrumentor = await log.step(`Installing antithesis-go-instrumentor ${INSTRUMENTOR_VERSION}`, () =>
      ensureInstrumentor(INSTRUMENTOR_VERSION, cacheDir, goEnv(workspace, cgo)),
    );
    await log.step(`Assembling Go workspace from ${system.modules.map((m) => m.name).join(", ")}, instrumenting ${instrument.join(", ")}`, () =>
      instrumentWorkspace(system.modules, instrument, workspace, { instrumentor, env: goEnv(workspace, cgo), onStep: (m) => log.info(m) }),
    );
  } else {
    await log.step(`Assembling Go workspace from ${system.modules.map((m) => m.name).join(", ")}`, () =>
      assembleWorkspace(system.modules, workspace, goEnv(workspace)),
    );
  }
  await fse.ensureDir(binDir);
  for (const binary of system.binaries) {
    await log.step(`Compiling ${binary.name} (go ${binary.kind === "test" ? "test -c" : "build"} ${binary.package})`, () =>
      buildBinary(workspace, binary, binDir, cgo),
    );
  }
  // Written last: a build interrupted half-way is never mistaken for a complete one.
  await fse.writeFile(marker, new Date().toISOString() + "\n");
  return { hash, workspace, binDir, binaries, cached: false, symbolsDir };
}
