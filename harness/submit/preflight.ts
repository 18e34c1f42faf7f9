// Pre-flight (before anything is pushed): first what `snouty validate` checks (validate.ts), then the run
// pipeline on exactly what Antithesis will run — the system's compose file with the final image references,
// nothing built, every network internal: up → setup-complete → the system's readiness line → the
// test-composer commands in a legal order (drivers in every driver service) → down -v. They must pass.
import { runPipeline, type PipelineEvent, type PipelineResult } from "../run/pipeline.ts";
import type { Run } from "../run/artifacts.ts";
import type { RunContext } from "../run/context.ts";
import type { PreparedSystem } from "../run/prepare.ts";
import { variant } from "../run/variant.ts";
import { composerTimelines } from "../workload/composer.ts";
import { validateForAntithesis } from "./validate.ts";

export interface PreflightOptions {
  readonly prepared: PreparedSystem;
  /** compose reference → the final (repository) reference, already tagged locally. */
  readonly finalRefs: Readonly<Record<string, string>>;
  /** The submission's run directory. */
  readonly run: Run;
  /** The shell's environment, for the hermetic-rendering check. */
  readonly env: NodeJS.ProcessEnv;
  readonly rerun: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: PipelineEvent) => void;
}

export class PreflightError extends Error {
  override name = "PreflightError";
}

export async function preflight(ctx: RunContext, opts: PreflightOptions): Promise<PipelineResult> {
  const log = ctx.log.child("preflight");
  for (const img of opts.prepared.images) {
    if (!img.spec.config && opts.finalRefs[img.spec.ref] === undefined) throw new PreflightError(`pre-flight: image "${img.spec.ref}" has no final reference`);
  }
  const problems = await validateForAntithesis({ composeFile: ctx.system.compose, env: opts.env, docker: ctx.docker, images: opts.finalRefs });
  if (problems.length > 0) throw new PreflightError(problems.join("\n"));
  log.info("compose file: renders hermetically, no external network, every service has an image, all linux/amd64");
  const result = await runPipeline(
    { ...ctx, log },
    {
      variant: variant(ctx.system),
      // One timeline of the test composer, as COMPOSER_* say (Antithesis explores many; one shows they run).
      timeline: composerTimelines(ctx.settings.env, ctx.system.name)[0]!,
      rerun: opts.rerun,
      prepared: opts.prepared,
      run: opts.run,
      preflight: { imageRefs: opts.finalRefs },
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
      ...(opts.onEvent !== undefined ? { onEvent: opts.onEvent } : {}),
    },
  );
  if (result.error !== undefined) throw new PreflightError(result.error.message, { cause: result.error });
  return result;
}
