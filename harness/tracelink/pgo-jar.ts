// TraceLink proper: PGo's `pgo.jar tracegen` turns a run's trace files into a <Spec>Validate.tla, and
// `pgo.jar tlc --dfs` model-checks that the traces are a behaviour of the spec. Needs a JVM and a pgo.jar (built
// with `./mill pgo.assembly` in a PGo checkout), so the check is reported as skipped, with the reason, when either
// is missing. TLC can run for hours: progress lines go to ctx.log, and ctx.signal (or timeoutMs) kills the JVMs.
import { once } from "node:events";
import { constants, createWriteStream, existsSync, statSync } from "node:fs";
import { access, mkdir, readdir, rm } from "node:fs/promises";
import { basename, delimiter, isAbsolute, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Checker, CheckContext, CheckResult } from "../check/checker.ts";
import type { Settings } from "../settings.ts";
import { incarnations, listTraceFiles, TRACE_FILE } from "./reader.ts";
import { TlcOutputParser, type TlcLineEvent, type TlcSummary } from "./tlc-output.ts";

export const PGO_JAR_CHECK = "tracelink/pgo-jar";

export interface PgoJarOptions {
  /**
   * The MPCal-annotated TLA+ spec of the system (e.g. raftkvs.tla); a `<Spec>Validate.cfg` beside it is included.
   * Undefined when the system has none here (e.g. it lives in a PGo checkout that was not given): skipped.
   */
  readonly spec: string | undefined;
  /** The skip reason when spec is undefined (say where the spec would come from). */
  readonly noSpecReason?: string;
  /** pgo.jar (Settings.pgoJar); when absent, PGO_JAR from env. Wins over any PGo checkout. */
  readonly pgoJar?: string | undefined;
  /** A PGo checkout (Settings.pgoDir) holding a built assembly; when absent, PGO_DIR from env. */
  readonly pgoDir?: string | undefined;
  /** Where PGO_JAR / PGO_DIR / PATH are read when not given above (Settings.env; default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The java executable; default: `java` looked up on PATH. */
  readonly javaPath?: string;
  /** Depth-first search (pgo.jar's --dfs; TLC then holds states in a deque). Default true. */
  readonly dfs?: boolean;
  /** Stop TLC after this long and report the check as incomplete ("unknown"). */
  readonly timeoutMs?: number;
  /** Milliseconds between SIGTERM and SIGKILL when stopping the JVMs. Default 5000. */
  readonly killGraceMs?: number;
}

export type Resolved<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

// An empty variable counts as unset (the settings rule of the harness).
const setting = (env: PgoJarOptions["env"], key: string): string | undefined => {
  const v = env?.[key];
  return v === undefined || v.trim() === "" ? undefined : v;
};

/** Where `./mill pgo.assembly` writes the jar in a PGo checkout (Mill: out/<module>/<task>.dest/out.jar). */
export const PGO_ASSEMBLY_CANDIDATES = ["out/pgo/assembly.dest/out.jar", "out/assembly.dest/out.jar"];

/** Finds the pgo.jar to run: PGO_JAR, else a built assembly in the PGO_DIR checkout. */
export async function resolvePgoJar(options: Pick<PgoJarOptions, "pgoJar" | "pgoDir" | "env"> = {}): Promise<Resolved<string>> {
  const env = options.env ?? process.env;
  const explicit = options.pgoJar ?? setting(env, "PGO_JAR");
  if (explicit !== undefined) {
    const jar = resolve(explicit);
    if (!existsSync(jar) || !statSync(jar).isFile()) return { ok: false, reason: `pgo.jar "${jar}" (PGO_JAR) is not a file` };
    return { ok: true, value: jar };
  }
  const dir = options.pgoDir ?? setting(env, "PGO_DIR");
  if (dir === undefined) return { ok: false, reason: "no pgo.jar: set PGO_JAR to a pgo.jar, or PGO_DIR to a PGo checkout where `./mill pgo.assembly` was run" };
  for (const candidate of PGO_ASSEMBLY_CANDIDATES) {
    const jar = resolve(dir, candidate);
    if (existsSync(jar)) return { ok: true, value: jar };
  }
  return { ok: false, reason: `no pgo.jar built in PGO_DIR "${resolve(dir)}" (looked for ${PGO_ASSEMBLY_CANDIDATES.join(", ")}): run \`./mill pgo.assembly\` there, or set PGO_JAR` };
}

/** Finds java: options.javaPath, else the first executable `java` on PATH. */
export async function resolveJava(options: Pick<PgoJarOptions, "javaPath" | "env"> = {}): Promise<Resolved<string>> {
  const env = options.env ?? process.env;
  const executable = async (p: string) => access(p, constants.X_OK).then(() => statSync(p).isFile(), () => false);
  if (options.javaPath !== undefined) {
    return (await executable(options.javaPath)) ? { ok: true, value: options.javaPath } : { ok: false, reason: `java "${options.javaPath}" is not an executable file` };
  }
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir === "" || !isAbsolute(dir)) continue;
    const candidate = join(dir, "java");
    if (await executable(candidate)) return { ok: true, value: candidate };
  }
  return { ok: false, reason: "java is not on PATH: install a JDK (pgo.jar needs Java 17 or later) to run pgo.jar" };
}

function skipped(reason: string): CheckResult {
  return { name: PGO_JAR_CHECK, valid: "unknown", summary: `pgo.jar TraceLink skipped: ${reason}`, skipped: reason };
}

function describe(event: TlcLineEvent): string {
  if (event.kind !== "progress") return `pgo.jar: ${event.text}`;
  const p = event.progress;
  return `TLC: depth ${p.depth}, ${p.statesGenerated.toLocaleString("en")} states generated, ${p.distinctStates.toLocaleString("en")} distinct, ${p.statesLeftOnQueue.toLocaleString("en")} left on queue (${p.at})`;
}

/** Kills the process group of a detached child: pgo.jar starts TLC as a second JVM, which must die with it. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

interface StepResult {
  readonly exitCode: number | undefined;
  readonly stopped: "abort" | "timeout" | undefined;
}

/** Runs one pgo.jar command, feeding every output line (stdout and stderr) to the parser and the log file. */
async function runStep(
  java: string,
  args: readonly string[],
  parser: TlcOutputParser,
  logFile: NodeJS.WritableStream,
  stop: AbortSignal,
  killGraceMs: number,
  onEvent: (e: TlcLineEvent) => void,
  cwd: string,
): Promise<StepResult> {
  logFile.write(`$ ${[java, ...args].join(" ")}\n`);
  // The JVMs' temp files (TLC leaves a tlc-<n> directory per run) go to the work directory, removed after the step.
  const javaTmp = join(cwd, "java-tmp");
  await mkdir(javaTmp, { recursive: true });
  const javaOptions = `${process.env["JAVA_TOOL_OPTIONS"] ?? ""} -Djava.io.tmpdir=${javaTmp}`.trim();
  // Loaded here, not with the file: system definitions import this file, and most runs have no pgo.jar.
  const { execa } = await import("execa");
  const child = execa(java, args, { all: true, buffer: false, reject: false, detached: true, stdin: "ignore", cwd, env: { JAVA_TOOL_OPTIONS: javaOptions } });
  let killTimer: NodeJS.Timeout | undefined;
  const onStop = () => {
    killGroup(child.pid, "SIGTERM");
    killTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), killGraceMs);
    killTimer.unref();
  };
  if (stop.aborted) onStop();
  else stop.addEventListener("abort", onStop, { once: true });
  // The JVMs are in their own process group (so that they can be killed together), which a Ctrl-C on the
  // terminal does not reach: if Node exits first, take them down with it.
  const onExit = () => killGroup(child.pid, "SIGKILL");
  process.once("exit", onExit);
  try {
    if (child.all !== undefined) {
      for await (const line of createInterface({ input: child.all, crlfDelay: Infinity })) {
        logFile.write(`${line}\n`);
        const event = parser.push(line);
        if (event !== undefined) onEvent(event);
      }
    }
    const result = await child;
    return {
      exitCode: result.exitCode,
      stopped: stop.aborted ? (stop.reason === "timeout" ? "timeout" : "abort") : undefined,
    };
  } finally {
    stop.removeEventListener("abort", onStop);
    process.removeListener("exit", onExit);
    // The group may outlive the direct child (an orphaned TLC JVM); make sure nothing is left behind.
    if (stop.aborted) killGroup(child.pid, "SIGKILL");
    if (killTimer !== undefined) clearTimeout(killTimer);
    await rm(javaTmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** What a pgo.jar run produced, for details and for callers that want more than a CheckResult. */
export interface PgoJarRun {
  readonly jar: string;
  readonly java: string;
  readonly validateSpec: string;
  readonly logFile: string;
  readonly tracegenExitCode?: number;
  readonly tlcExitCode?: number;
  readonly stopped?: "abort" | "timeout";
  readonly tlc: TlcSummary;
}

/**
 * pgo.jar TraceLink for a system built either from this repository or from a PGo checkout. Under PGO_DIR the
 * system is PGo's build, so its traces are checked against PGo's spec in the checkout (specInCheckout, e.g.
 * "systems/raftkvs/raftkvs.tla"); otherwise against the system's own spec (the definition's `spec`, an absolute
 * path), when it has one. Skipped with the reason when neither applies, or when there is no jar.
 */
export function pgoJarCheckerInCheckout(settings: Settings, specInCheckout: string, ownSpec?: string): Checker {
  const inCheckout = settings.pgoDir !== undefined;
  return pgoJarChecker({
    spec: inCheckout ? join(settings.pgoDir, specInCheckout) : ownSpec,
    noSpecReason: `this system has no spec of its own, and its MPCal spec is PGo's ${specInCheckout}: set PGO_DIR to a PGo checkout (and PGO_JAR)`,
    pgoJar: settings.pgoJar,
    pgoDir: settings.pgoDir,
    env: settings.env,
  });
}

export function pgoJarChecker(options: PgoJarOptions): Checker {
  return {
    name: PGO_JAR_CHECK,
    async check(ctx: CheckContext): Promise<CheckResult[]> {
      const jar = await resolvePgoJar(options);
      if (!jar.ok) return [skipped(jar.reason)];
      const java = await resolveJava(options);
      if (!java.ok) return [skipped(java.reason)];
      if (options.spec === undefined) return [skipped(options.noSpecReason ?? "no TLA+ spec is known for this system")];
      const spec = resolve(options.spec);
      if (!existsSync(spec)) return [{ name: PGO_JAR_CHECK, valid: "unknown", summary: `spec "${spec}" does not exist; pgo.jar tracegen needs the system's MPCal spec` }];
      const traceFiles = await listTraceFiles(ctx.tracesDir);
      if (traceFiles.length === 0) return [{ name: PGO_JAR_CHECK, valid: false, summary: `no trace-*.log files in ${ctx.tracesDir} for pgo.jar tracegen` }];
      // A restarted process writes its instance's next incarnation to a second file; tracegen models one file per
      // instance, so it cannot judge that run (the native design check, tracelink/spec, takes the restart).
      const restarted = incarnations(traceFiles).find((g) => g.files.length > 1);
      if (restarted !== undefined) return [skipped(`self ${restarted.self} has ${restarted.files.length} trace files (a restarted process); pgo.jar tracegen models one file per instance`)];
      // tracegen reads every *.log in the directory, not only trace-*.log: say so before it trips on one.
      const strays = (await readdir(ctx.tracesDir)).filter((f) => f.endsWith(".log") && !TRACE_FILE.test(f));
      if (strays.length > 0) ctx.log?.(`pgo.jar: warning: tracegen will also read ${strays.join(", ")} in ${ctx.tracesDir}`);

      // tracegen writes the Validate spec (and a copy of the spec) into its destination: keep it out of the
      // run's traces directory and read the traces from there with --logs-dir.
      const workDir = join(ctx.artifactsDir, "pgo-jar");
      await mkdir(workDir, { recursive: true });
      const specName = basename(spec).replace(/\.tla$/, "");
      const validateSpec = join(workDir, `${specName}Validate.tla`);
      const logPath = join(workDir, "pgo-jar.log");
      const logFile = createWriteStream(logPath);

      const stopper = new AbortController();
      const onAbort = () => stopper.abort("abort");
      if (ctx.signal?.aborted) onAbort();
      ctx.signal?.addEventListener("abort", onAbort, { once: true });
      const timer = options.timeoutMs !== undefined ? setTimeout(() => stopper.abort("timeout"), options.timeoutMs) : undefined;
      timer?.unref();

      const parser = new TlcOutputParser();
      const log = (e: TlcLineEvent) => ctx.log?.(describe(e));
      const grace = options.killGraceMs ?? 5000;
      let run: PgoJarRun;
      try {
        const tracegen = await runStep(
          java.value,
          ["-jar", jar.value, "tracegen", spec, workDir, "--logs-dir", resolve(ctx.tracesDir), "--noall-paths", "--progress-inv"],
          parser, logFile, stopper.signal, grace, log, workDir,
        );
        let tlc: StepResult | undefined;
        if (tracegen.exitCode === 0 && tracegen.stopped === undefined) {
          tlc = await runStep(
            java.value,
            ["-jar", jar.value, "tlc", ...(options.dfs === false ? [] : ["--dfs"]), "--", validateSpec],
            parser, logFile, stopper.signal, grace, log, workDir,
          );
        }
        const stopped = tracegen.stopped ?? tlc?.stopped;
        const lastExit = tlc?.exitCode ?? tracegen.exitCode;
        const summary = parser.summary(stopped === undefined ? lastExit : undefined);
        run = {
          jar: jar.value,
          java: java.value,
          validateSpec,
          logFile: logPath,
          ...(tracegen.exitCode !== undefined ? { tracegenExitCode: tracegen.exitCode } : {}),
          ...(tlc?.exitCode !== undefined ? { tlcExitCode: tlc.exitCode } : {}),
          ...(stopped !== undefined ? { stopped } : {}),
          // tracegen failing without an error line of its own is still a failure.
          tlc: tracegen.exitCode !== 0 && stopped === undefined && summary.outcome !== "fail"
            ? { ...summary, outcome: "fail", errorKind: "tool", reason: `pgo.jar tracegen exited with code ${tracegen.exitCode ?? "unknown"}` }
            : summary,
        };
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        ctx.signal?.removeEventListener("abort", onAbort);
        logFile.end();
        await once(logFile, "close");
      }
      return [toResult(run, options.timeoutMs)];
    },
  };
}

function toResult(run: PgoJarRun, timeoutMs: number | undefined): CheckResult {
  const s = run.tlc;
  const artifacts = [run.logFile, ...(existsSync(run.validateSpec) ? [run.validateSpec] : [])];
  const details = { ...run, tlc: { ...s, progress: s.progress.slice(-5) } };
  if (run.stopped !== undefined) {
    const why = run.stopped === "timeout" ? `stopped after ${timeoutMs} ms` : "aborted";
    const last = s.progress.at(-1);
    const at = last ? ` at depth ${last.depth} with ${last.distinctStates} distinct states` : "";
    return { name: PGO_JAR_CHECK, valid: "unknown", summary: `pgo.jar TraceLink ${why}${at}; TLC had not finished`, artifacts, details };
  }
  if (s.outcome === "pass") {
    return { name: PGO_JAR_CHECK, valid: true, summary: `TLC accepts the traces: ${s.distinctStates ?? "?"} distinct states, no error`, artifacts, details };
  }
  if (s.outcome === "fail") return { name: PGO_JAR_CHECK, valid: false, summary: `${s.reason}; full output in ${run.logFile}`, artifacts, details };
  return { name: PGO_JAR_CHECK, valid: "unknown", summary: s.reason, artifacts, details };
}
