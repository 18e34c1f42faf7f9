// Everything a run needs from outside, resolved once per entry point (Vitest's global setup, a suite file, the
// CLI, a submission): the settings, the Antithesis settings (with ANTITHESIS=1), the system after PGO_DIR
// substitution, the Docker client, the logger and the redaction of the run's secrets. Nothing below this reads
// process.env.
import { stderr } from "node:process";
import { loadAntithesisSettings, type AntithesisSettings } from "../antithesis/settings.ts";
import { dockerClient, type Docker } from "../docker/client.ts";
import { logger, type Logger } from "../log.ts";
import { scrub } from "../redact.ts";
import { loadSettings, type Settings } from "../settings.ts";
import { checkWorkloadEnv, forCheckout, workloadEnvOf, type SystemDefinition } from "../system.ts";

export interface RunContext {
  readonly settings: Settings;
  /** Set with ANTITHESIS=1 (read and checked before anything is built). */
  readonly antithesis: AntithesisSettings | undefined;
  /** The system as it will be built: its own modules, or PGo's with PGO_DIR. */
  readonly system: SystemDefinition;
  readonly docker: Docker;
  readonly log: Logger;
  /** The same logger, also writing every line to `also` (a run's run.log). */
  readonly logAlso: (also: (line: string) => void) => Logger;
  /** The system's workload variables that are set (passed to the test-composer commands). */
  readonly workloadEnv: Readonly<Record<string, string>>;
  /** Removes the values of this context's secrets from text that leaves the harness. */
  readonly redact: (text: string) => string;
}

export interface ContextOptions {
  /** Logger namespace (default: the system's name). */
  readonly namespace?: string;
  readonly write?: (line: string) => void;
  /** Read the Antithesis settings even when ANTITHESIS is not 1 (tests of the submit path). */
  readonly antithesis?: boolean;
}

/** Throws SettingsError, AntithesisSettingsError or DefinitionError with a one-line message naming the cause. */
export function resolveContext(definition: SystemDefinition, env: NodeJS.ProcessEnv, opts: ContextOptions = {}): RunContext {
  const settings = loadSettings(env);
  const antithesis = settings.antithesis || opts.antithesis === true ? loadAntithesisSettings(env) : undefined;
  const system = forCheckout(definition, settings.pgoDir);
  // Before anything is built or started: a bad workload variable is named here, in one line.
  checkWorkloadEnv(system, settings.env);
  const secrets = antithesis?.secrets ?? [];
  const namespace = opts.namespace ?? system.name;
  const write = opts.write ?? ((line: string) => stderr.write(line + "\n"));
  let docker: Docker | undefined;
  return {
    settings,
    antithesis,
    system,
    // Made on first use: loading dockerode is the largest import of a run, which the pipeline does while compose
    // starts the containers (harness/docker/client.ts).
    get docker() {
      return (docker ??= dockerClient());
    },
    log: logger(namespace, write),
    logAlso: (also) =>
      logger(namespace, (line) => {
        write(line);
        also(line);
      }),
    workloadEnv: workloadEnvOf(system, settings),
    redact: (text) => scrub(text, secrets),
  };
}

/** No Docker engine: one line that says what to do. */
export async function requireDocker(ctx: Pick<RunContext, "docker">): Promise<void> {
  try {
    await ctx.docker.ping();
  } catch (err) {
    throw new Error(`No Docker engine answers (${err instanceof Error ? err.message : String(err)}): run scripts/setup.sh as root, or start Docker.`);
  }
}
