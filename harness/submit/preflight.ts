// Pre-flight (before anything is pushed): run exactly what Antithesis will run — the system's compose file with
// the final image references, nothing built, every network internal — wait for setup-complete, check the
// test-composer layout, run the commands in a legal order and require them to pass. Always ends with down -v.
import type Docker from "dockerode";
import type { BuiltImage } from "../image/index.ts";
import type { Logger } from "../log.ts";
import type { Reaper } from "../compose/reaper.ts";
import { waitForSetupComplete } from "../compose/setup-complete.ts";
import { up } from "../compose/up.ts";
import type { SystemDefinition } from "../system.ts";
import { discoverTemplate, type TemplateCommand } from "../workload/template.ts";
import { runWorkload, type CommandOutcome } from "../workload/run.ts";

export interface PreflightOptions {
  readonly system: SystemDefinition;
  readonly images: readonly BuiltImage[];
  /** compose reference → the final (repository) reference, already tagged locally. */
  readonly finalRefs: Readonly<Record<string, string>>;
  readonly runId: string;
  readonly runDir: string;
  readonly docker: Docker;
  readonly log: Logger;
  readonly reaper: Reaper | undefined;
  readonly setupTimeoutMs: number;
  readonly workloadTimeoutMs: number;
  readonly env: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface PreflightReport {
  readonly commands: readonly TemplateCommand[];
  readonly outcomes: readonly CommandOutcome[];
  readonly seconds: number;
}

export async function preflight(opts: PreflightOptions): Promise<PreflightReport> {
  const started = performance.now();
  const log = opts.log.child("preflight");
  for (const img of opts.images) {
    if (!img.spec.config && opts.finalRefs[img.spec.ref] === undefined) throw new Error(`pre-flight: image "${img.spec.ref}" has no final reference`);
  }
  const cluster = await up({
    system: opts.system,
    images: opts.images,
    imageRefs: opts.finalRefs,
    internalNetworks: true,
    runId: opts.runId,
    runDir: opts.runDir,
    docker: opts.docker,
    log,
    reaper: opts.reaper,
    keep: false,
    startupTimeoutMs: opts.setupTimeoutMs,
  });
  try {
    await waitForSetupComplete(cluster, opts.setupTimeoutMs, log, opts.signal);
    // Checks the layout too: prefixes, executable bits, at least one driver.
    const commands = await discoverTemplate(cluster, opts.system.template);
    log.info(`template "${opts.system.template}": ${commands.map((c) => `${c.name} (${c.service})`).join(" → ")}`);
    const result = await runWorkload(cluster, commands, {
      env: opts.env,
      runDir: opts.runDir,
      timeoutMs: opts.workloadTimeoutMs,
      log: log.child("workload"),
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    });
    // runWorkload throws on the first command that fails, naming it and its log.
    return { commands, outcomes: result.outcomes, seconds: (performance.now() - started) / 1000 };
  } finally {
    await cluster.down();
  }
}
