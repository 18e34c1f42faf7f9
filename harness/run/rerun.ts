// The exact command that runs a variant again: the host variables the run depended on (the system's workload
// variables the variant does not set itself, PGO_DIR, PGO_JAR, BASE_IMAGE), secrets redacted, then the command.
import { redactEnv } from "../redact.ts";
import type { SystemDefinition } from "../system.ts";
import { commandLine } from "./artifacts.ts";

const CARRIED = ["PGO_DIR", "PGO_JAR", "BASE_IMAGE"];

export function rerunCommand(
  system: Pick<SystemDefinition, "workloadEnv">,
  hostEnv: NodeJS.ProcessEnv,
  variantEnv: Readonly<Record<string, string>> | undefined,
  argv: readonly string[],
): string {
  const env: Record<string, string> = {};
  for (const k of [...system.workloadEnv, ...CARRIED]) {
    const v = hostEnv[k];
    if (v !== undefined && v !== "" && variantEnv?.[k] === undefined) env[k] = v;
  }
  return commandLine(redactEnv(env), argv);
}
