// Build stage + image stage for one system: the Go workspace and binaries, the base image, the images.
// Locks make concurrent `vitest run`s on one machine build each thing once.
import { join } from "node:path";
import { withLock } from "../build/lock.ts";
import { build } from "../build/index.ts";
import { resolveBaseImage } from "../image/base-image.ts";
import { dockerClient } from "../image/docker.ts";
import { buildImages } from "../image/index.ts";
import { logger } from "../log.ts";
import { loadSettings } from "../settings.ts";
import { forCheckout, type SystemDefinition } from "../system.ts";
import type { PreparedSystem } from "./provided.ts";

export async function prepareSystem(definition: SystemDefinition, env: NodeJS.ProcessEnv = process.env): Promise<PreparedSystem> {
  const settings = loadSettings(env);
  const system = forCheckout(definition, settings.pgoDir);
  const log = logger(system.name);
  if (system.checkout !== undefined) log.info(`building from the PGo checkout ${system.checkout}: ${system.modules.map((m) => `${m.name} (${m.dir})`).join(", ")}`);
  const docker = dockerClient();
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(`No Docker engine answers (${err instanceof Error ? err.message : String(err)}): run scripts/setup.sh as root, or start Docker.`);
  }
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
