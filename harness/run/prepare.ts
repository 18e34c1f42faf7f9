// The prepare stages, build and images: the Go workspace and binaries, the base image, the system's images.
// Locks make concurrent runs on one machine build each thing once. A warm run asks the stamp first
// (prepare-stamp.ts): when no input was touched since the last full prepare, its result is reused, and the
// build and image code (with esbuild, the instrumentor, testcontainers) is not even loaded.
import { join } from "node:path";
import { resolveBaseImage } from "../image/base-image.ts";
import type { BuiltImage } from "../image/index.ts";
import { requireDocker, type RunContext } from "./context.ts";
import { baseImageIdentity, type PreparedSystem, readStamp, stampKey, writeStamp } from "./prepare-stamp.ts";

// PreparedSystem lives beside the stamp that stores it (one direction of import, no cycle).
export type { PreparedSystem } from "./prepare-stamp.ts";

export interface PrepareOptions {
  /** Skip the stamp and take the full path (content hashes of every input), as a cold run does. */
  readonly ignoreStamp?: boolean;
}

export async function prepareSystem(ctx: RunContext, opts: PrepareOptions = {}): Promise<PreparedSystem> {
  const { system, settings, docker, log } = ctx;
  if (system.checkout !== undefined) log.info(`building from the PGo checkout ${system.checkout}: ${system.modules.map((m) => `${m.name} (${m.dir})`).join(", ")}`);
  await requireDocker(ctx);
  const locks = join(settings.cacheDir, "locks");
  // Antithesis builds: the chosen modules instrumented. cgo is on in every build: on Antithesis the SDK reaches
  // the coverage library through it; locally, without it, the SDK would read ANTITHESIS_OUTPUT_DIR as "inside
  // Antithesis" (degraded mode: one shared sdk.jsonl, a failing CGO property) instead of its per-process
  // ANTITHESIS_SDK_LOCAL_OUTPUT.
  const instrument = settings.antithesis ? (settings.instrument ?? system.instrument) : [];
  const unknown = instrument.find((n) => !system.modules.some((m) => m.name === n));
  if (unknown !== undefined) throw new Error(`ANTITHESIS_INSTRUMENT names "${unknown}", which is not a module of ${system.name} (${system.modules.map((m) => m.name).join(", ")})`);
  const baseImage = await resolveBaseImage(settings, docker, log.child("image"));
  // Taken before the full path reads anything: a file changed while it runs makes the next run look again.
  const key = await stampKey(system, settings, instrument, await baseImageIdentity(docker, baseImage));
  if (opts.ignoreStamp !== true) {
    const stamped = await readStamp(key, system, docker);
    if (stamped !== undefined) {
      log.child("build").info(`build ${stamped.build.hash.slice(0, 12)} and images ${stamped.images.map((i) => i.tag.slice(i.tag.lastIndexOf(":") + 1)).join(", ")} are up to date (no input touched since they were built)`);
      return stamped;
    }
  }
  const { withLock } = await import("../gobuild/lock.ts");
  const { build } = await import("../gobuild/index.ts");
  const { buildImages } = await import("../image/index.ts");
  const built = await withLock(join(locks, `build-${system.name}`), () =>
    build(system, settings.cacheDir, log.child("build"), { instrument, cgo: true }),
  );
  const images = await withLock(join(locks, `images-${system.name}`), () =>
    buildImages({ system, build: built, baseImage, cacheDir: settings.cacheDir, docker, log: log.child("image") }),
  );
  const prepared: PreparedSystem = {
    system: system.name,
    baseImage,
    build: { hash: built.hash, cached: built.cached, workspace: built.workspace, binDir: built.binDir, symbolsDir: built.symbolsDir },
    images,
  };
  await writeStamp(key, prepared).catch((err: unknown) => log.warn(`could not write the prepare stamp (the next run takes the full path again): ${String(err)}`));
  return prepared;
}
