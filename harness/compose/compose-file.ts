// Reads a system's compose file and writes the local override: built image tags, the Antithesis SDK's local
// output, and labels that let a crashed run be found and reaped. The system's own file is never modified —
// it is exactly what Antithesis will run.
import { readFile, writeFile } from "node:fs/promises";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { MAIN_PROCESS, SDK_OUTPUT_DIR, sdkOutputPath } from "../properties/sdk-output.ts";

/**
 * Where the Antithesis SDK writes locally: a volume shared by all services, one file per process
 * (ANTITHESIS_SDK_LOCAL_OUTPUT: sdk-<service>@main.jsonl here, sdk-<service>@<command>.jsonl for each
 * test-composer command), plus sdk.jsonl for programs that write $ANTITHESIS_OUTPUT_DIR/sdk.jsonl by hand as
 * Antithesis documents. The harness polls it for setup-complete and keeps it as an artifact (assertions).
 * Locally built binaries have cgo (harness/vitest/prepare.ts): without it the Go SDK would take
 * ANTITHESIS_OUTPUT_DIR as "inside Antithesis" and write every process's output into that one sdk.jsonl.
 */
export { SDK_OUTPUT_DIR };
export const SDK_VOLUME = "pgo-harness-sdk";
export const RUN_LABEL = "pgo-harness.run";
export const SYSTEM_LABEL = "pgo-harness.system";

const serviceSchema = z.looseObject({ image: z.string().optional(), build: z.unknown().optional() });
const composeSchema = z.looseObject({
  services: z.record(z.string(), serviceSchema.nullable()),
  volumes: z.record(z.string(), z.unknown()).nullable().optional(),
  networks: z.record(z.string(), z.unknown()).nullable().optional(),
});

export interface ComposeModel {
  readonly services: Readonly<Record<string, { readonly image: string | undefined }>>;
  readonly volumes: readonly string[];
  readonly networks: readonly string[];
}

export class ComposeFileError extends Error {
  override name = "ComposeFileError";
}

export async function readComposeFile(path: string): Promise<ComposeModel> {
  let doc: unknown;
  try {
    // merge: the seed's files use YAML merge keys (`<<: *srv`).
    doc = parse(await readFile(path, "utf8"), { merge: true });
  } catch (err) {
    throw new ComposeFileError(`${path}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = composeSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ComposeFileError(`${path}: ${issue?.path.join(".") || "top level"} ${issue?.message ?? "is invalid"}`);
  }
  const services: Record<string, { image: string | undefined }> = {};
  for (const [name, svc] of Object.entries(parsed.data.services)) services[name] = { image: svc?.image };
  if (Object.keys(services).length === 0) throw new ComposeFileError(`${path}: defines no services`);
  return { services, volumes: Object.keys(parsed.data.volumes ?? {}), networks: Object.keys(parsed.data.networks ?? {}) };
}

export interface OverrideOptions {
  readonly model: ComposeModel;
  /** compose image reference → the image to run instead. */
  readonly images: Readonly<Record<string, string>>;
  readonly runId: string;
  readonly system: string;
  /** Cut every network off from the outside world, as on Antithesis (pre-flight). */
  readonly internalNetworks?: boolean;
  /** Extra environment by service name (e.g. a planted bug's switch in a suite variant); local runs only. */
  readonly serviceEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export function renderOverride(opts: OverrideOptions): string {
  const services: Record<string, unknown> = {};
  const unknownService = Object.keys(opts.serviceEnv ?? {}).find((s) => opts.model.services[s] === undefined);
  if (unknownService !== undefined) throw new ComposeFileError(`serviceEnv names "${unknownService}", which is not a service (${Object.keys(opts.model.services).join(", ")})`);
  for (const [name, svc] of Object.entries(opts.model.services)) {
    const image = svc.image !== undefined ? opts.images[svc.image] : undefined;
    services[name] = {
      ...(image !== undefined ? { image, pull_policy: "never" } : {}),
      environment: { ...opts.serviceEnv?.[name], ANTITHESIS_SDK_LOCAL_OUTPUT: sdkOutputPath(name, MAIN_PROCESS), ANTITHESIS_OUTPUT_DIR: SDK_OUTPUT_DIR },
      volumes: [`${SDK_VOLUME}:${SDK_OUTPUT_DIR}`],
      labels: { [RUN_LABEL]: opts.runId, [SYSTEM_LABEL]: opts.system },
    };
  }
  const volumes = { [SDK_VOLUME]: { labels: { [RUN_LABEL]: opts.runId } } };
  const networks = opts.internalNetworks === true ? Object.fromEntries(["default", ...opts.model.networks].map((n) => [n, { internal: true }])) : undefined;
  return `# Written by pgo-harness for one local run; not used on Antithesis.\n${stringify({ services, volumes, ...(networks !== undefined ? { networks } : {}) })}`;
}

export async function writeOverride(path: string, opts: OverrideOptions): Promise<void> {
  await writeFile(path, renderOverride(opts));
}
