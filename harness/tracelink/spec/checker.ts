// The `tracelink/spec` check: a run's traces validated against the system's MPCal design, natively (the same
// question pgo.jar tracegen + TLC answer, without a JVM). Runs whenever the system has a spec: PGo's under
// PGO_DIR, else the definition's own. The validator itself loads when the check runs: system definitions make
// this checker, and every run imports a definition.
import { join } from "node:path";
import type { Checker, CheckContext, CheckResult } from "../../check/checker.ts";
import type { Settings } from "../../settings.ts";
import { listTraceFiles, TraceFormatError } from "../reader.ts";
import { TlaParseError } from "../tla-value.ts";

export const SPEC_CHECK = "tracelink/spec";

export interface SpecCheckOptions {
  /** The MPCal spec; undefined: the check is skipped with `noSpecReason`. */
  readonly spec: string | undefined;
  readonly cfg?: string;
  readonly noSpecReason?: string;
  /** As tracegen's flags; the suites use --noall-paths --progress-inv, as the pgo.jar check does. */
  readonly allPaths?: boolean;
  readonly progressInv?: boolean;
  readonly maxStates?: number;
  /** Wall-clock budget (default 180 s); past it the check is `unknown`, never a guess. */
  readonly timeoutMs?: number;
}

export function specChecker(options: SpecCheckOptions): Checker {
  return {
    name: SPEC_CHECK,
    async check(ctx: CheckContext): Promise<CheckResult[]> {
      if (options.spec === undefined) {
        const reason = options.noSpecReason ?? "no MPCal spec is known for this system";
        return [{ name: SPEC_CHECK, valid: "unknown", summary: reason, skipped: reason }];
      }
      const files = await listTraceFiles(ctx.tracesDir);
      if (files.length === 0) return [{ name: SPEC_CHECK, valid: false, summary: `no trace-*.log files in ${ctx.tracesDir}` }];
      const [{ validateFiles }, { SpecError }, { EvalError }] = await Promise.all([import("./index.ts"), import("./lexer.ts"), import("./values.ts")]);
      const t0 = performance.now();
      try {
        const { verdict: v } = await validateFiles(options.spec, options.cfg, files, {
          allPaths: options.allPaths ?? false,
          progressInv: options.progressInv ?? true,
          ...(options.maxStates === undefined ? {} : { maxStates: options.maxStates }),
          timeoutMs: options.timeoutMs ?? 180_000,
          ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
        });
        const took = `${((performance.now() - t0) / 1000).toFixed(2)} s`;
        const details = { records: v.records, states: v.states, seconds: (performance.now() - t0) / 1000, spec: options.spec };
        if (v.verdict === "ok") return [{ name: SPEC_CHECK, valid: true, summary: `the ${v.records} records are a behaviour of ${options.spec} (${v.states} states, ${took})`, details }];
        if (v.verdict === "unknown") return [{ name: SPEC_CHECK, valid: "unknown", summary: `undecided after ${v.states} states: ${v.reason}`, details }];
        return [{ name: SPEC_CHECK, valid: false, summary: v.explanation.split("\n").slice(0, 3).join(" "), details: { ...details, explanation: v.explanation } }];
      } catch (e) {
        if (e instanceof SpecError || e instanceof EvalError || e instanceof TraceFormatError || e instanceof TlaParseError) {
          return [{ name: SPEC_CHECK, valid: "unknown", summary: `cannot validate against ${options.spec}: ${e.message}` }];
        }
        throw e;
      }
    },
  };
}

/**
 * PGo's spec (relative to the checkout) under PGO_DIR, otherwise the system's own spec. `cfgInCheckout` names
 * PGo's constants file when it is not `<spec>Validate.cfg` (raftkvs has one per server count).
 */
export function specCheckerInCheckout(settings: Pick<Settings, "pgoDir">, specInCheckout: string, ownSpec: string | undefined, cfgInCheckout?: string): Checker {
  const pgoDir = settings.pgoDir;
  return specChecker({
    spec: pgoDir !== undefined ? join(pgoDir, specInCheckout) : ownSpec,
    ...(pgoDir !== undefined && cfgInCheckout !== undefined ? { cfg: join(pgoDir, cfgInCheckout) } : {}),
    noSpecReason: `this system has no spec of its own, and its MPCal spec is PGo's ${specInCheckout}: set PGO_DIR to a PGo checkout`,
    maxStates: 500_000,
  });
}
