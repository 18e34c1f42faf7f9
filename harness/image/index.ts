// Stage 2: images. Every image of a system is built from antithesis/<system>/Dockerfile.* through
// testcontainers, for linux/amd64, from one build context: the system's assets, the built binaries in bin/,
// extra/ (files a user provides, e.g. pgo.jar; empty otherwise) and validator/ (the native TraceLink validator
// with its Node and the system's spec; empty for a system without a spec). Each image is tagged with the hash of its
// inputs and is not rebuilt while that tag exists.
import { basename, join } from "node:path";
import fse from "fs-extra";
import { GenericContainer } from "testcontainers";
import type { BuildResult } from "../build/index.ts";
import { hashInputs, short } from "../build/hash.ts";
import { stageValidator } from "../antithesis/validator-bundle.ts";
import type { Logger } from "../log.ts";
import type { ImageSpec, SystemDefinition } from "../system.ts";
import { type Docker, imageExists, imageId } from "./docker.ts";

export interface BuiltImage {
  readonly spec: ImageSpec;
  /** The local tag, `pgo-harness/<system>-<image>:<hash>`. */
  readonly tag: string;
  readonly cached: boolean;
}

export interface ImageSetOptions {
  readonly system: SystemDefinition;
  readonly build: BuildResult;
  readonly baseImage: string;
  /** Extra files for the context's extra/ folder: name in extra/ → absolute source path. */
  readonly extra?: Readonly<Record<string, string>>;
  readonly cacheDir: string;
  readonly docker: Docker;
  readonly log: Logger;
}

export async function buildImages(opts: ImageSetOptions): Promise<BuiltImage[]> {
  const context = await stageContext(opts);
  const baseId = await imageId(opts.docker, opts.baseImage);
  const built: BuiltImage[] = [];
  for (const spec of opts.system.images) {
    const hash = await hashInputs(["image/v1", baseId, spec.name, basename(spec.dockerfile), { tree: context }]);
    const tag = `pgo-harness/${opts.system.name}-${spec.name}:${short(hash)}`;
    if (await imageExists(opts.docker, tag)) {
      opts.log.info(`image ${tag} is up to date`);
      built.push({ spec, tag, cached: true });
      continue;
    }
    await opts.log.step(`Building image ${tag} from ${basename(spec.dockerfile)}`, () =>
      GenericContainer.fromDockerfile(context, basename(spec.dockerfile))
        .withBuildArgs({ BASE_IMAGE: opts.baseImage })
        .withPlatform("linux/amd64")
        .withCache(true)
        .build(tag, { deleteOnExit: false }),
    );
    built.push({ spec, tag, cached: false });
  }
  return built;
}

/** Lays out the build context; rewritten from scratch each time so it never holds stale files. */
async function stageContext(opts: ImageSetOptions): Promise<string> {
  const context = join(opts.cacheDir, "images", `${opts.system.name}-context`);
  await fse.emptyDir(context);
  await fse.copy(opts.system.assets, context);
  await fse.copy(opts.build.binDir, join(context, "bin"));
  await fse.ensureDir(join(context, "extra"));
  for (const [name, source] of Object.entries(opts.extra ?? {})) await fse.copy(source, join(context, "extra", name));
  // The native TraceLink validator, its Node and the spec, for the image that runs finally_tracelink.
  await stageValidator(opts.system, join(context, "validator"), opts.cacheDir, opts.log);
  return context;
}
