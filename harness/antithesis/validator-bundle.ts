// What the image that runs `finally_tracelink` needs to validate traces against the design inside the
// container (on Antithesis nobody downloads them): the native validator bundled into one JavaScript file with
// esbuild, the Linux x64 Node binary the `node` npm package already installed for the project (symbols
// stripped), and the system's spec with its cfg files. No JVM, nothing fetched: it builds offline.
// Laid out as the image context's validator/ folder: validator/node, validator/pgo-validate.mjs,
// validator/spec/<spec files>. Systems without a spec get an empty folder, so their Dockerfiles stay the same.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { build } from "esbuild";
import { execa } from "execa";
import fse from "fs-extra";
import type { Logger } from "../log.ts";
import { projectRoot } from "../paths.ts";
import type { SystemDefinition } from "../system.ts";

const ENTRY = join(projectRoot, "harness/tracelink/in-container.ts");
const NODE = join(projectRoot, "node_modules/node/bin/node");

export class ValidatorBundleError extends Error {}

type SpecSource = Pick<SystemDefinition, "name" | "spec" | "checkout"> & { readonly pgo?: Pick<NonNullable<SystemDefinition["pgo"]>, "specCfg"> | undefined };

/**
 * The spec the traces of this build are validated against, with its constants file when that is not the
 * default `<spec>Validate.cfg`: PGo's for PGo's build (PGO_DIR, with the definition's `pgo.specCfg`), else the
 * system's own.
 */
export function specForBuild(system: SpecSource): { readonly spec: string; readonly cfg: string | undefined } | undefined {
  if (system.checkout !== undefined) {
    const pgo = join(system.checkout, "systems", system.name, `${system.name}.tla`);
    if (!existsSync(pgo)) return undefined;
    const cfg = system.pgo?.specCfg === undefined ? undefined : join(system.checkout, system.pgo.specCfg);
    if (cfg !== undefined && !existsSync(cfg)) throw new ValidatorBundleError(`${system.name}: the constants file ${cfg} (pgo.specCfg) does not exist in the PGo checkout`);
    return { spec: pgo, cfg };
  }
  return system.spec === undefined ? undefined : { spec: system.spec, cfg: undefined };
}

/** A Linux x86-64 ELF executable: the images are linux/amd64, so any other Node binary cannot run there. */
function isLinuxX64Elf(path: string): boolean {
  const head = readFileSync(path).subarray(0, 20);
  return head.subarray(0, 4).toString("latin1") === "\x7fELF" && head[4] === 2 && head.readUInt16LE(18) === 0x3e;
}

/** The stripped Node binary, cached by the source binary's identity. */
async function strippedNode(cacheDir: string, log: Logger): Promise<string> {
  if (!existsSync(NODE)) throw new ValidatorBundleError(`no Node binary at ${NODE}: run npm ci (the "node" devDependency provides it)`);
  if (!isLinuxX64Elf(NODE)) throw new ValidatorBundleError(`${NODE} is not a Linux x86-64 binary, so it cannot run in the linux/amd64 images: build on a Linux x64 machine`);
  const st = await fse.stat(NODE);
  const out = join(cacheDir, "validator", `node-stripped-${st.size}-${Math.trunc(st.mtimeMs)}`);
  if (existsSync(out)) return out;
  await fse.ensureDir(dirname(out));
  const tmp = `${out}.tmp`;
  const strip = await execa("strip", ["-o", tmp, NODE], { reject: false });
  if (strip.exitCode !== 0) {
    log.warn(`strip is not available (${strip.shortMessage}); shipping Node with its debug info`);
    await fse.copy(NODE, tmp);
  }
  await fse.move(tmp, out, { overwrite: true });
  return out;
}

async function sourceHash(): Promise<string> {
  // The bundle depends on the entry and everything it imports under harness/ plus the dependencies' lock.
  const h = createHash("sha256");
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) h.update(p).update(await fse.readFile(p));
    }
  };
  await walk(join(projectRoot, "harness/tracelink"));
  h.update(await fse.readFile(join(projectRoot, "package-lock.json")));
  return h.digest("hex").slice(0, 16);
}

/** Bundles the validator into one ESM file (cached by its sources). */
async function bundle(cacheDir: string, log: Logger): Promise<string> {
  const out = join(cacheDir, "validator", `pgo-validate-${await sourceHash()}.mjs`);
  if (existsSync(out)) return out;
  await log.step("Bundling the TraceLink validator for the images", () =>
    build({ entryPoints: [ENTRY], bundle: true, platform: "node", format: "esm", target: "node24", outfile: out, minify: true, legalComments: "none", logLevel: "silent" }),
  );
  return out;
}

/**
 * Fills `dest` (the image context's validator/ folder): empty when the system has no spec for this build,
 * otherwise node, pgo-validate.mjs and spec/ (the spec's folder's .tla and .cfg files).
 */
export async function stageValidator(system: SpecSource, dest: string, cacheDir: string, log: Logger): Promise<void> {
  await fse.ensureDir(dest);
  const found = specForBuild(system);
  if (found === undefined) return;
  const { spec, cfg } = found;
  const [node, mjs] = await Promise.all([strippedNode(cacheDir, log), bundle(cacheDir, log)]);
  await fse.copy(node, join(dest, "node"));
  await fse.chmod(join(dest, "node"), 0o755);
  await fse.copy(mjs, join(dest, "pgo-validate.mjs"));
  const specDir = dirname(spec);
  for (const f of await readdir(specDir)) {
    if (f.endsWith(".tla") || f.endsWith(".cfg")) await fse.copy(join(specDir, f), join(dest, "spec", f));
  }
  await fse.writeFile(join(dest, "SPEC"), `${basename(spec)}\n`);
  // The commands pass --cfg only when CFG names one; otherwise the validator reads <spec>Validate.cfg.
  if (cfg !== undefined) {
    await fse.copy(cfg, join(dest, "spec", basename(cfg)));
    await fse.writeFile(join(dest, "CFG"), `${basename(cfg)}\n`);
  }
}
