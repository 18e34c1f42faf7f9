// A system is defined in one place: systems/<name>/system.ts calls defineSystem({...}). Everything the
// harness does to a system (build, image, up, workload, collect, check, down, antithesis) reads this object;
// adding a system never needs a harness edit.
import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import type { Checker } from "./check/checker.ts";
import { projectRoot } from "./paths.ts";
import type { Settings } from "./settings.ts";

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: "must be lower-case letters, digits, '.', '_' or '-'" });

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: "must be an environment variable name (A-Z, 0-9, _)" });

const readySchema = z.object({ services: z.instanceof(RegExp), logMessage: z.instanceof(RegExp) });

const definitionSchema = z.object({
  name,
  modules: z
    .array(z.object({ name, dir: z.string().min(1) }))
    .min(1, { error: "must list at least one Go module" }),
  binaries: z
    .array(
      z.object({
        name: z.string().regex(/^[A-Za-z0-9._-]+$/, { error: "must be a plain file name" }),
        package: z.string().startsWith("./", { error: 'must be a package path relative to the workspace, like "./dqueue"' }),
        kind: z.enum(["build", "test"]).default("build"),
      }),
    )
    .min(1, { error: "must list at least one binary" }),
  assets: z.string().min(1),
  compose: z.string().default("docker-compose.yaml"),
  images: z
    .array(
      z.object({
        name,
        dockerfile: z.string().min(1),
        ref: z.string().regex(/^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$/, { error: "must be an image reference like name:tag" }),
        config: z.boolean().default(false),
      }),
    )
    .min(1, { error: "must list at least one image" }),
  template: name,
  tracesVolume: z.string().min(1),
  /** Host variables passed to the commands: a name, or a name with its type (checked before build and up). */
  workloadEnv: z
    .array(
      z.union([
        envName,
        z.strictObject({
          name: envName,
          /** An integer in [min, max]. */
          int: z.tuple([z.number().int(), z.number().int()]).optional(),
          /** One of these values. */
          values: z.array(z.string()).min(1).optional(),
        }),
      ]),
    )
    .default([]),
  ready: readySchema.optional(),
  /** Services that may exit on their own (one-shot jobs); any other exit that no planned fault caused fails the run. */
  oneShot: z.array(z.string()).default([]),
  /** Modules instrumented for Antithesis coverage in ANTITHESIS=1 builds (overridable by ANTITHESIS_INSTRUMENT). */
  instrument: z.array(name).default([]),
  /** The system's own design: its MPCal spec (`.tla`, relative to the project root), which its traces validate against. */
  spec: z.string().regex(/\.tla$/, { error: 'must be a TLA+ file, like "systems/dqueue/dqueue.tla"' }).optional(),
  /**
   * How to build this system from a PGo checkout (PGO_DIR) instead: modules whose dir is relative to the
   * checkout. A module of the same name replaces ours; the others are added (ours not named stay, e.g. the
   * tracing module for the `ready` binary).
   */
  pgo: z
    .object({
      modules: z.array(z.object({ name, dir: z.string().min(1) })).min(1),
      /** PGo's binaries print their own lines: the readiness line of ours does not carry over (default: none). */
      ready: readySchema.optional(),
      /**
       * The constants for PGo's spec, relative to the checkout, when they are not in `<spec>Validate.cfg`
       * (raftkvs has one file per server count). The harness check and the validator in the images both use it.
       */
      specCfg: z.string().regex(/\.cfg$/, { error: 'must be a TLC config file, like "systems/raftkvs/raftkvsValidate3.cfg"' }).optional(),
    })
    .optional(),
});

export type SystemInput = z.input<typeof definitionSchema> & {
  /** The checks run on a collected run (TraceLink, histories, …); `system` is the definition as run (e.g. its spec). */
  checks: (settings: Settings, system: SystemDefinition) => readonly Checker[];
  /**
   * The services that each run their own copy of every driver command, at once (e.g. one client per
   * container, counted from the workload env). Default: the service the command was found in.
   */
  driverServices?: (env: Readonly<Record<string, string>>) => readonly string[];
};

export interface GoModule { readonly name: string; readonly dir: string }
export interface GoBinary { readonly name: string; readonly package: string; readonly kind: "build" | "test" }
export interface ImageSpec {
  readonly name: string;
  /** Absolute path of the Dockerfile (in the system's antithesis/ folder). */
  readonly dockerfile: string;
  /** The reference the compose file uses for this image; the harness maps it to the built image. */
  readonly ref: string;
  /** The Antithesis config image (FROM scratch, holds the compose file): built, never run locally. */
  readonly config: boolean;
}

export interface SystemDefinition {
  readonly name: string;
  readonly modules: readonly GoModule[];
  readonly binaries: readonly GoBinary[];
  /** Absolute path of antithesis/<system>/: Dockerfiles, compose file, test-composer commands. */
  readonly assets: string;
  /** Absolute path of the compose file. */
  readonly compose: string;
  readonly images: readonly ImageSpec[];
  /** The test-composer template: commands live in /opt/antithesis/test/v1/<template>/ in the images. */
  readonly template: string;
  /** The named compose volume that receives $PGO_TRACE_DIR. */
  readonly tracesVolume: string;
  /** Host variables passed through to the test-composer commands (e.g. the operation count). */
  readonly workloadEnv: readonly string[];
  /** The workload variables with their declared types (a bare name accepts any value). */
  readonly workloadVars: readonly WorkloadVar[];
  /** Besides setup-complete: wait until a service whose name matches logs a line matching logMessage. */
  readonly ready: { readonly services: RegExp; readonly logMessage: RegExp } | undefined;
  readonly instrument: readonly string[];
  /** Services allowed to exit on their own (one-shot jobs). */
  readonly oneShot: readonly string[];
  /** Absolute path of the system's own MPCal spec, when it has one. */
  readonly spec: string | undefined;
  readonly checks: (settings: Settings, system: SystemDefinition) => readonly Checker[];
  readonly driverServices: ((env: Readonly<Record<string, string>>) => readonly string[]) | undefined;
  readonly pgo: { readonly modules: readonly GoModule[]; readonly ready?: SystemDefinition["ready"]; readonly specCfg?: string | undefined } | undefined;
  /** Set when the modules come from a PGo checkout (see forCheckout). */
  readonly checkout: string | undefined;
}

/** The host variables the system passes through to its test-composer commands, those that are set. */
export function workloadEnvOf(system: Pick<SystemDefinition, "workloadEnv">, settings: Pick<Settings, "env">): Record<string, string> {
  return Object.fromEntries(system.workloadEnv.flatMap((k) => (settings.env[k] !== undefined ? [[k, settings.env[k]]] : [])));
}

export interface WorkloadVar {
  readonly name: string;
  readonly int?: readonly [number, number];
  readonly values?: readonly string[];
}

export class WorkloadEnvError extends Error {
  override name = "WorkloadEnvError";
}

/** Checks the set workload variables against their declarations; the first bad one is named in one line. */
export function checkWorkloadEnv(system: Pick<SystemDefinition, "name" | "workloadVars">, env: Readonly<Record<string, string | undefined>>): void {
  for (const v of system.workloadVars) {
    const value = env[v.name];
    if (value === undefined || value === "") continue;
    if (v.int !== undefined) {
      const [min, max] = v.int;
      const n = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) throw new WorkloadEnvError(`${v.name} must be an integer from ${min} to ${max} (got "${value}")`);
    }
    if (v.values !== undefined && !v.values.includes(value)) throw new WorkloadEnvError(`${v.name} must be one of ${v.values.join(", ")} (got "${value}")`);
  }
}

export class DefinitionError extends Error {
  override name = "DefinitionError";
}

/** Validates a system definition and resolves its paths against the project root. */
export function defineSystem(input: SystemInput, root: string = projectRoot): SystemDefinition {
  const parsed = definitionSchema.safeParse(input);
  const label = typeof input?.name === "string" ? `system "${input.name}"` : "system definition";
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DefinitionError(`${label}: ${issue?.path.join(".") || "definition"} ${issue?.message ?? "is invalid"}`);
  }
  if (typeof input.checks !== "function") throw new DefinitionError(`${label}: checks must be a function returning checkers`);
  if (input.driverServices !== undefined && typeof input.driverServices !== "function") {
    throw new DefinitionError(`${label}: driverServices must be a function from the workload env to service names`);
  }
  const d = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(root, p));
  const assets = abs(d.assets);
  const mustExist = (path: string, what: string, dir: boolean) => {
    if (!existsSync(path) || statSync(path).isDirectory() !== dir) {
      throw new DefinitionError(`${label}: ${what} "${path}" does not exist or is not a ${dir ? "directory" : "file"}`);
    }
  };
  mustExist(assets, "assets", true);
  const modules = d.modules.map((m) => ({ name: m.name, dir: abs(m.dir) }));
  for (const m of modules) mustExist(join(m.dir, "go.mod"), `module "${m.name}" go.mod`, false);
  const compose = join(assets, d.compose);
  mustExist(compose, "compose file", false);
  const images = d.images.map((i) => ({ ...i, dockerfile: join(assets, i.dockerfile) }));
  for (const i of images) mustExist(i.dockerfile, `image "${i.name}" Dockerfile`, false);
  const unique = (what: string, names: string[]) => {
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new DefinitionError(`${label}: ${what} "${dup}" is listed twice`);
  };
  const spec = d.spec === undefined ? undefined : abs(d.spec);
  if (spec !== undefined) mustExist(spec, "spec", false);
  unique("module", modules.map((m) => m.name));
  unique("binary", d.binaries.map((b) => b.name));
  unique("image", images.map((i) => i.name));
  const unknown = d.instrument.find((n) => !modules.some((m) => m.name === n));
  if (unknown !== undefined) throw new DefinitionError(`${label}: instrument names "${unknown}", which is not one of its modules (${modules.map((m) => m.name).join(", ")})`);
  return {
    name: d.name,
    modules,
    binaries: d.binaries,
    assets,
    compose,
    images,
    template: d.template,
    tracesVolume: d.tracesVolume,
    workloadEnv: d.workloadEnv.map((v) => (typeof v === "string" ? v : v.name)),
    workloadVars: d.workloadEnv.map((v) => (typeof v === "string" ? { name: v } : { name: v.name, ...(v.int !== undefined ? { int: v.int } : {}), ...(v.values !== undefined ? { values: v.values } : {}) })),
    ready: d.ready,
    instrument: d.instrument,
    oneShot: d.oneShot,
    spec,
    checks: input.checks,
    driverServices: input.driverServices,
    pgo: d.pgo,
    checkout: undefined,
  };
}

/**
 * The system as built from a PGo checkout (PGO_DIR): its `pgo` modules, resolved in the checkout, replace or
 * join ours. Without PGO_DIR the system is returned unchanged.
 */
export function forCheckout(system: SystemDefinition, pgoDir: string | undefined): SystemDefinition {
  if (pgoDir === undefined) return system;
  const label = `system "${system.name}"`;
  if (system.pgo === undefined) throw new DefinitionError(`${label} has no \`pgo\` modules, so it cannot be built from PGO_DIR=${pgoDir}`);
  if (!existsSync(pgoDir) || !statSync(pgoDir).isDirectory()) throw new DefinitionError(`PGO_DIR "${pgoDir}" is not a directory`);
  const theirs = system.pgo.modules.map((m) => ({ name: m.name, dir: resolve(pgoDir, m.dir) }));
  for (const m of theirs) {
    if (!existsSync(join(m.dir, "go.mod"))) {
      throw new DefinitionError(`${label}: PGO_DIR "${pgoDir}" has no module at ${m.dir} (no go.mod) — is it a checkout of github.com/DistCompiler/pgo?`);
    }
  }
  const replaced = new Set(theirs.map((m) => m.name));
  return {
    ...system,
    modules: [...system.modules.filter((m) => !replaced.has(m.name)), ...theirs],
    ready: system.pgo.ready,
    checkout: resolve(pgoDir),
  };
}
