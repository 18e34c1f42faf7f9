// Settings are resolved once, from the environment, and validated here; the rest of the harness takes a
// Settings object and never reads process.env itself. An empty variable counts as unset (as in snouty).
import { resolve } from "node:path";
import { z } from "zod";

const seconds = (fallback: number) =>
  z.coerce.number({ error: "must be a number of seconds" }).positive({ error: "must be a number of seconds > 0" }).default(fallback);
const flag = z.enum(["0", "1", "true", "false"], { error: 'must be "1" or "0"' }).default("0").transform((v) => v === "1" || v === "true");

const schema = z.object({
  BASE_IMAGE: z.string().optional(),
  DEBIAN_MIRROR: z.url({ error: "must be a URL of a Debian mirror" }).optional(),
  DEBIAN_SUITE: z.string().default("bookworm"),
  PGO_HARNESS_CACHE_DIR: z.string().default(".cache"),
  PGO_HARNESS_RUNS_DIR: z.string().default("runs"),
  KEEP: flag,
  SETUP_TIMEOUT: seconds(180),
  WORKLOAD_TIMEOUT: seconds(900),
  PGO_DIR: z.string().optional(),
  PGO_JAR: z.string().optional(),
  ANTITHESIS: flag,
  ANTITHESIS_INSTRUMENT: z
    .string()
    .regex(/^(none|[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*)$/, { error: 'must be "none" or a comma-separated list of module names' })
    .optional(),
});

export interface Settings {
  /** Base image for every system image; when absent or unusable the harness builds one from Debian packages. */
  readonly baseImage: string | undefined;
  readonly debianMirror: string | undefined;
  readonly debianSuite: string;
  readonly cacheDir: string;
  readonly runsDir: string;
  /** Leave the compose project running after the tests (for debugging); nothing is torn down. */
  readonly keep: boolean;
  readonly setupTimeoutMs: number;
  readonly workloadTimeoutMs: number;
  /** A checkout of github.com/DistCompiler/pgo: build its systems instead of ours (see forCheckout). */
  readonly pgoDir: string | undefined;
  /** pgo.jar (PGo's assembly) for TraceLink model checking; without it that check is skipped. */
  readonly pgoJar: string | undefined;
  /** ANTITHESIS=1: the suites submit to Antithesis instead of running locally (harness/submit). */
  readonly antithesis: boolean;
  /** ANTITHESIS_INSTRUMENT: modules to instrument (overrides the system's `instrument`); [] for "none". */
  readonly instrument: readonly string[] | undefined;
  /** The raw environment, for system-specific pass-through variables (see SystemDefinition.workloadEnv). */
  readonly env: Readonly<Record<string, string>>;
}

export class SettingsError extends Error {
  override name = "SettingsError";
}

export function loadSettings(env: NodeJS.ProcessEnv, root: string = process.cwd()): Settings {
  const present: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") present[k] = v;
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SettingsError(`${String(issue?.path[0] ?? "environment")} ${issue?.message ?? "is invalid"} (got "${present[String(issue?.path[0])] ?? ""}")`);
  }
  const s = parsed.data;
  return {
    baseImage: s.BASE_IMAGE,
    debianMirror: s.DEBIAN_MIRROR,
    debianSuite: s.DEBIAN_SUITE,
    cacheDir: resolve(root, s.PGO_HARNESS_CACHE_DIR),
    runsDir: resolve(root, s.PGO_HARNESS_RUNS_DIR),
    keep: s.KEEP,
    setupTimeoutMs: s.SETUP_TIMEOUT * 1000,
    workloadTimeoutMs: s.WORKLOAD_TIMEOUT * 1000,
    pgoDir: s.PGO_DIR !== undefined ? resolve(root, s.PGO_DIR) : undefined,
    pgoJar: s.PGO_JAR !== undefined ? resolve(root, s.PGO_JAR) : undefined,
    antithesis: s.ANTITHESIS,
    instrument: s.ANTITHESIS_INSTRUMENT === undefined ? undefined : s.ANTITHESIS_INSTRUMENT === "none" ? [] : s.ANTITHESIS_INSTRUMENT.split(","),
    env: present,
  };
}
