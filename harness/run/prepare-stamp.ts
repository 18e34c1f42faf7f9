// A warm run's shortcut past the prepare stages. The full path (harness/gobuild, harness/image) hashes the
// content of every input — the Go modules, and an image context it first lays out afresh, ~110 MB of it the
// validator's Node — which costs a warm run about a second to learn that nothing changed. The stamp is the
// cheap question asked first: has any input file been touched since the last full prepare? It records, for
// every file the build and the images read, its size, mode, inode, mtime and ctime (ctime cannot be set back
// by tools that restore mtimes), with the Go toolchain's binary, the harness code of those stages, the base
// image's id and every setting that reaches them. Equal, and the images and the build still present: the last
// full prepare's result is reused. Anything else, even a file merely touched: the full path runs (it stays
// the judge of what to rebuild) and writes a new stamp.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, mkdir, readdir, readFile, readlink, realpath, rename, stat, writeFile } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { z } from "zod";
import { type Docker, imageExists, imageId } from "../docker/client.ts";
import { projectRoot } from "../paths.ts";
import type { Settings } from "../settings.ts";
import { IGNORED } from "../gobuild/hash.ts";
import type { SystemDefinition } from "../system.ts";
import type { BuiltImage } from "../image/index.ts";

/** What the prepare stages hand to the rest of the run (survives structuredClone: Vitest's provide/inject). */
export interface PreparedSystem {
  readonly system: string;
  readonly baseImage: string;
  readonly build: { readonly hash: string; readonly cached: boolean; readonly workspace: string; readonly binDir: string; readonly symbolsDir: string | undefined };
  readonly images: readonly BuiltImage[];
}

/** The harness code that decides what the prepare stages produce: a change there invalidates every stamp. */
const STAGE_CODE = ["harness/run/prepare.ts", "harness/run/prepare-stamp.ts", "harness/gobuild", "harness/image", "harness/instrument", "harness/antithesis/validator-bundle.ts"];

/**
 * What the image context's validator/ folder is made of (harness/antithesis/validator-bundle.ts): the bundle's
 * sources (harness/tracelink and what it imports from outside it), the lock file, the Node binary.
 */
const VALIDATOR_INPUTS = ["harness/tracelink", "harness/check", "harness/properties", "harness/paths.ts", "harness/settings.ts", "package-lock.json", "node_modules/node/bin/node"];

/** One line per file or directory below each path: name, type, size, mode, inode, mtime, ctime (ns). */
export async function statFingerprint(paths: readonly string[]): Promise<string> {
  const hash = createHash("sha256");
  const visit = async (path: string): Promise<void> => {
    let info;
    try {
      info = await lstat(path, { bigint: true });
    } catch {
      hash.update(`missing ${path}\n`);
      return;
    }
    hash.update(`${path} ${info.mode} ${info.size} ${info.ino} ${info.mtimeNs} ${info.ctimeNs}\n`);
    // A link is followed for its target's identity too (node_modules/.bin style links, a go on PATH).
    if (info.isSymbolicLink()) {
      hash.update(`-> ${await readlink(path)}\n`);
      const target = await stat(path, { bigint: true }).catch(() => undefined);
      if (target !== undefined && !target.isDirectory()) hash.update(`${target.mode} ${target.size} ${target.ino} ${target.mtimeNs} ${target.ctimeNs}\n`);
      return;
    }
    if (!info.isDirectory()) return;
    const names = (await readdir(path)).filter((n) => !IGNORED.has(n)).sort();
    for (const n of names) await visit(join(path, n));
  };
  for (const p of paths) await visit(p);
  return hash.digest("hex");
}

/** The `go` a build would run (harness/gobuild/go.ts: PATH, then /usr/local/go/bin), resolved through links. */
async function goBinary(): Promise<string> {
  for (const dir of [...(process.env["PATH"] ?? "").split(delimiter), "/usr/local/go/bin"]) {
    const candidate = join(dir || ".", "go");
    if (existsSync(candidate)) return realpath(candidate);
  }
  return "no go on PATH";
}

export interface StampKey {
  readonly file: string;
  readonly fingerprint: string;
}

/** Where the stamp of this system and these settings lives, and the fingerprint of its inputs as they are now. */
export async function stampKey(system: SystemDefinition, settings: Settings, instrument: readonly string[], baseImage: { readonly ref: string; readonly id: string }): Promise<StampKey> {
  const go = await goBinary();
  // The spec's folder (its .tla and .cfg files go into the images), and under PGO_DIR PGo's, with pgo.specCfg.
  const specDirs = [system.spec, system.checkout !== undefined ? join(system.checkout, "systems", system.name, `${system.name}.tla`) : undefined]
    .filter((s) => s !== undefined)
    .map((s) => dirname(s));
  const specCfg = system.checkout !== undefined && system.pgo?.specCfg !== undefined ? [join(system.checkout, system.pgo.specCfg)] : [];
  const config = JSON.stringify({
    stamp: "prepare/v1",
    system: { name: system.name, modules: system.modules, binaries: system.binaries, images: system.images, assets: system.assets, spec: system.spec, checkout: system.checkout, pgo: system.pgo },
    instrument: [...instrument].sort(),
    antithesis: settings.antithesis,
    baseImage,
    go,
    goEnv: ["GOTOOLCHAIN", "GOROOT", "GOPROXY", "GOFLAGS", "GOPATH", "GOMODCACHE"].map((k) => process.env[k] ?? null),
  });
  const files = await statFingerprint([
    go,
    ...system.modules.map((m) => m.dir),
    system.assets,
    ...specDirs,
    ...specCfg,
    ...[...STAGE_CODE, ...VALIDATOR_INPUTS].map((p) => join(projectRoot, p)),
  ]);
  const name = createHash("sha256").update(config).digest("hex").slice(0, 16);
  return {
    file: join(settings.cacheDir, "prepared", `${system.name}-${name}.json`),
    fingerprint: createHash("sha256").update(config).update(files).digest("hex"),
  };
}

const builtImage = z.object({ spec: z.object({ name: z.string() }).loose(), tag: z.string(), cached: z.boolean() });
const stampFile = z.object({
  fingerprint: z.string(),
  prepared: z.object({
    system: z.string(),
    baseImage: z.string(),
    build: z.object({ hash: z.string(), cached: z.boolean(), workspace: z.string(), binDir: z.string(), symbolsDir: z.string().optional() }),
    images: z.array(builtImage),
  }),
});

/** The last full prepare's result when the stamp matches and what it names still exists; else undefined. */
export async function readStamp(key: StampKey, system: SystemDefinition, docker: Docker): Promise<PreparedSystem | undefined> {
  let parsed;
  try {
    parsed = stampFile.safeParse(JSON.parse(await readFile(key.file, "utf8")));
  } catch {
    return undefined; // no stamp yet (or one being replaced): the full path decides
  }
  if (!parsed.success || parsed.data.fingerprint !== key.fingerprint) return undefined;
  const p = parsed.data.prepared;
  // The build's completion marker (harness/gobuild/index.ts) and every image, as the full path would find them.
  if (!existsSync(join(dirname(p.build.binDir), "complete"))) return undefined;
  const images = [];
  for (const spec of system.images) {
    const img = p.images.find((i) => i.spec.name === spec.name);
    if (img === undefined) return undefined;
    images.push({ spec, tag: img.tag, cached: true });
  }
  const present = await Promise.all(images.map((i) => imageExists(docker, i.tag)));
  if (present.includes(false)) return undefined;
  return {
    system: p.system,
    baseImage: p.baseImage,
    build: { hash: p.build.hash, cached: true, workspace: p.build.workspace, binDir: p.build.binDir, symbolsDir: p.build.symbolsDir },
    images,
  };
}

/** Written after a full prepare, atomically (a concurrent reader sees the old stamp or the new one). */
export async function writeStamp(key: StampKey, prepared: PreparedSystem): Promise<void> {
  await mkdir(dirname(key.file), { recursive: true });
  const tmp = `${key.file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ fingerprint: key.fingerprint, prepared }, null, 2) + "\n");
  await rename(tmp, key.file);
}

/** The base image as the image stage would hash it: its reference and the engine's id for it. */
export async function baseImageIdentity(docker: Docker, ref: string): Promise<{ ref: string; id: string }> {
  return { ref, id: await imageId(docker, ref) };
}
