// The prepare stages, build and images: the Go workspace and binaries, the base image, the system's images.
// Locks make concurrent runs on one machine build each thing once.
import { join } from "node:path";
import { withLock } from "../gobuild/lock.ts";
import { build } from "../gobuild/index.ts";
import { resolveBaseImage } from "../image/base-image.ts";
import { buildImages, type BuiltImage } from "../image/index.ts";
import { requireDocker, type RunContext } from "./context.ts";

/** What the prepare stages hand to the rest of the run (survives structuredClone: Vitest's provide/inject). */
export interface PreparedSystem {
  readonly system: string;
  readonly baseImage: string;
  readonly build: { readonly hash: string; readonly cached: boolean; readonly workspace: string; readonly binDir: string; readonly symbolsDir: string | undefined };
  readonly images: readonly BuiltImage[];
}

export async function prepareSystem(ctx: RunContext): Promise<PreparedSystem> {
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
  const built = await withLock(join(locks, `build-${system.name}`), () =>
    build(system, settings.cacheDir, log.child("build"), { instrument, cgo: true }),
  );
  const baseImage = await resolveBaseImage(settings, docker, log.child("image"));
  const images = await withLock(join(locks, `images-${system.name}`), () =>
    buildImages({ system, build: built, baseImage, cacheDir: settings.cacheDir, docker, log: log.child("image") }),
  );
  return {
    system: system.name,
    baseImage,
    build: { hash: built.hash, cached: built.cached, workspace: built.workspace, binDir: built.binDir, symbolsDir: built.symbolsDir },
    images,
  };
}
