// A variant is one way to run a system: a title, workload env over the host's, faults, and a reason not to run.
// A suite file declares one (`export default describeSystem(system, {...})`); Vitest and `pgo-harness run
// --variant <file>` both read it from there.
import { basename } from "node:path";
import type { Fault } from "../faults/fault.ts";
import type { Settings } from "../settings.ts";
import type { SystemDefinition } from "../system.ts";

export interface VariantOptions {
  /** Names the run (default: the system's name), e.g. "raftkvs with the leader killed". */
  readonly title?: string;
  /** Faults injected while the drivers run (Jepsen's nemesis); each with a check is reported as a test. */
  readonly faults?: readonly Fault[];
  /** Environment of the system's services by service name, over the compose file's (e.g. a planted bug's switch). */
  readonly serviceEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Workload env for this run, over the host's (e.g. more clients for one suite file). */
  readonly env?: Readonly<Record<string, string>>;
  /** A reason not to run this variant (e.g. it needs a log line only our binaries print); reported as a skip. */
  readonly skipWhen?: (system: SystemDefinition, settings: Settings) => string | undefined;
}

const BRAND = Symbol.for("pgo-harness.variant");

export interface Variant {
  readonly [BRAND]: true;
  readonly system: SystemDefinition;
  readonly options: VariantOptions;
}

export function variant(system: SystemDefinition, options: VariantOptions = {}): Variant {
  return { [BRAND]: true, system, options };
}

export function isVariant(value: unknown): value is Variant {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** A variant with its own title, env or faults (not the system's main run). */
export function isCustom(v: Variant): boolean {
  return v.options.title !== undefined || v.options.env !== undefined || v.options.faults !== undefined || v.options.serviceEnv !== undefined;
}

/**
 * The variant's name for `runs/<system>/latest-<name>`: the suite file's name without `.test.ts` (undefined
 * for the main run, which keeps `latest`).
 */
export function variantName(v: Variant, file: string | undefined): string | undefined {
  if (!isCustom(v)) return undefined;
  const name = file !== undefined ? basename(file).replace(/\.test\.[cm]?[jt]s$/, "").replace(/\.[cm]?[jt]s$/, "") : "variant";
  return name === v.system.name ? "variant" : name.replace(/[^A-Za-z0-9._-]/g, "-");
}
