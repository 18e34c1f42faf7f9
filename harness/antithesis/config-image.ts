// The config image Antithesis reads the compose file from (FROM scratch, /docker-compose.yaml): built from the
// system's own Dockerfile.config, with the compose file in its build context replaced by the pinned one, in
// which every service image is a pushed digest reference. The system's file itself is never modified. The
// config image is then pushed and referenced by digest only.
import { createHash } from "node:crypto";
import { basename, join, relative } from "node:path";
import fse from "fs-extra";
import { isScalar, parse, parseDocument, visit } from "yaml";
import { readFilesFromContainer } from "../docker/archive.ts";
import type { Docker } from "../docker/client.ts";
import { imageExists } from "../docker/client.ts";
import type { Logger } from "../log.ts";
import type { SystemDefinition } from "../system.ts";
import { type PushedImage, type RegistryLogin, pushImage, pushTarget } from "./registry.ts";
import type { AntithesisSettings } from "./settings.ts";

export class ConfigImageError extends Error {
  override name = "ConfigImageError";
}

const DIGEST_REF = /^[^\s@]+@sha256:[0-9a-f]{64}$/;

/**
 * The compose text with every service image replaced by its digest reference. Refuses a service without an
 * image (Antithesis builds nothing) and one whose image is neither mapped nor already a digest reference.
 * Comments, anchors and layout are kept; an image set through a YAML anchor is replaced at the anchor.
 */
export function pinCompose(text: string, digestRefs: Readonly<Record<string, string>>, label = "docker-compose.yaml"): string {
  for (const [from, to] of Object.entries(digestRefs)) {
    if (!DIGEST_REF.test(to)) throw new ConfigImageError(`${label}: "${from}" is mapped to "${to}", which is not a digest reference (name@sha256:…)`);
  }
  const services = composeServices(text, label);
  for (const [name, image] of Object.entries(services)) {
    if (image === undefined) throw new ConfigImageError(`${label}: service "${name}" has no image (Antithesis builds nothing; every service needs a pushed image)`);
    if (digestRefs[image] === undefined && !DIGEST_REF.test(image)) {
      throw new ConfigImageError(`${label}: service "${name}" uses image "${image}", which was not pushed (no digest for it)`);
    }
  }
  const doc = parseDocument(text, { merge: true });
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "image" && isScalar(pair.value) && typeof pair.value.value === "string") {
        const to = digestRefs[pair.value.value];
        if (to !== undefined) pair.value.value = to;
      }
    },
  });
  const pinned = `# Pinned by pgo-harness: every image by digest.\n${doc.toString()}`;
  // The result must say what we claim, whatever the YAML looked like.
  for (const [name, image] of Object.entries(composeServices(pinned, label))) {
    if (image === undefined || !DIGEST_REF.test(image)) throw new ConfigImageError(`${label}: service "${name}" still uses "${image ?? "no image"}" after pinning`);
  }
  return pinned;
}

/** service name → image, with merge keys resolved. */
export function composeServices(text: string, label = "docker-compose.yaml"): Record<string, string | undefined> {
  let doc: unknown;
  try {
    doc = parse(text, { merge: true });
  } catch (err) {
    throw new ConfigImageError(`${label}: not valid YAML: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
  const services = (doc as { services?: unknown } | null)?.services;
  if (typeof services !== "object" || services === null || Array.isArray(services)) throw new ConfigImageError(`${label}: expected a "services" mapping`);
  const out: Record<string, string | undefined> = {};
  for (const [name, svc] of Object.entries(services as Record<string, unknown>)) {
    const image = (svc as { image?: unknown } | null)?.image;
    out[name] = typeof image === "string" ? image : undefined;
  }
  if (Object.keys(out).length === 0) throw new ConfigImageError(`${label}: defines no services`);
  return out;
}

export interface ConfigImageOptions {
  readonly system: SystemDefinition;
  /** compose reference → pushed digest reference, for every image but the config image. */
  readonly digestRefs: Readonly<Record<string, string>>;
  readonly cacheDir: string;
  readonly docker: Docker;
  readonly log: Logger;
  /** Instrumentation symbol tables, shipped at /symbols where Antithesis looks for them. */
  readonly symbolsDir?: string | undefined;
}

export interface BuiltConfigImage {
  /** Local tag, `pgo-harness/<system>-config-pinned:<hash>`. */
  readonly tag: string;
  readonly composeRef: string;
  readonly pinned: string;
}

/** Builds the config image with the pinned compose file (cached by the hash of its inputs). */
export async function buildConfigImage(opts: ConfigImageOptions): Promise<BuiltConfigImage> {
  const spec = opts.system.images.find((i) => i.config);
  if (spec === undefined) throw new ConfigImageError(`system "${opts.system.name}": no image with config: true (the Antithesis config image)`);
  const composeName = relative(opts.system.assets, opts.system.compose);
  const original = await fse.readFile(opts.system.compose, "utf8");
  const pinned = pinCompose(original, opts.digestRefs, `${opts.system.name}/${composeName}`);
  const context = join(opts.cacheDir, "images", `${opts.system.name}-config-context`);
  await fse.emptyDir(context);
  await fse.copy(opts.system.assets, context);
  await fse.writeFile(join(context, composeName), pinned);
  if (opts.symbolsDir !== undefined) {
    // The system's Dockerfile.config knows nothing of instrumentation; the symbols are added after it.
    await fse.copy(opts.symbolsDir, join(context, "symbols"));
    await fse.appendFile(join(context, basename(spec.dockerfile)), "\n# Added by pgo-harness: instrumentation symbols\nCOPY symbols/ /symbols/\n");
  }
  const hash = createHash("sha256");
  for (const file of (await listFiles(context)).sort()) {
    const mode = (await fse.stat(join(context, file))).mode & 0o777;
    hash.update(`${file}\0${mode}\0`).update(await fse.readFile(join(context, file))).update("\0");
  }
  const tag = `pgo-harness/${opts.system.name}-config-pinned:${hash.digest("hex").slice(0, 12)}`;
  if (await imageExists(opts.docker, tag)) {
    opts.log.info(`config image ${tag} is up to date`);
  } else {
    // Loaded here: every suite imports this file (through the submit path), only ANTITHESIS=1 builds with it.
    const { GenericContainer } = await import("testcontainers");
    await opts.log.step(`Building config image ${tag} from ${basename(spec.dockerfile)}`, () =>
      GenericContainer.fromDockerfile(context, basename(spec.dockerfile)).withPlatform("linux/amd64").build(tag, { deleteOnExit: false }),
    );
  }
  // The image must hold exactly the pinned file where Antithesis looks for it.
  const inImage = await readComposeFromImage(opts.docker, tag);
  if (inImage !== pinned) {
    throw new ConfigImageError(`config image ${tag}: /docker-compose.yaml is not the pinned compose file (does ${basename(spec.dockerfile)} copy ${composeName} to /docker-compose.yaml?)`);
  }
  return { tag, composeRef: spec.ref, pinned };
}

/** Builds and pushes the config image; the result's ref is its digest reference. */
export async function pushConfigImage(opts: ConfigImageOptions & { readonly settings: AntithesisSettings; readonly login: RegistryLogin }): Promise<PushedImage & { readonly pinned: string }> {
  const built = await buildConfigImage(opts);
  const pushed = await pushImage(opts.docker, opts.settings, opts.login, pushTarget(built.composeRef, built.tag), opts.log);
  return { ...pushed, pinned: built.pinned };
}

/** /docker-compose.yaml of an image (which may have no shell or command: FROM scratch). */
export async function readComposeFromImage(docker: Docker, image: string): Promise<string | undefined> {
  // Created, never started: a command is required to create one, not to read its files.
  const container = await docker.createContainer({ Image: image, Cmd: ["/nonexistent"], Labels: { "pgo-harness.purpose": "read-config-image" } });
  try {
    const files = await readFilesFromContainer(docker, container.id, "/docker-compose.yaml");
    return files.get("docker-compose.yaml");
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fse.readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}
