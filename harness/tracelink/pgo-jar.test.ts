// pgo.jar TraceLink without a JVM: each test writes a fake `java` into a temp dir. It stands in for
// `java -jar pgo.jar` + TLC: it records its arguments, writes the Validate spec tracegen would write, and replays
// the real console output of testdata/tlc/raftkvs-3server-tracelink.log (tracegen part, then TLC part,
// completed with a TLC ending where the test needs one), exiting as pgo.jar would.
import { PGO_TRACES, TLC_LOGS } from "../../testdata/paths.ts";
import { readFileSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { INVARIANT_TAIL, SUCCESS_TAIL } from "./fixtures/fake-pgo/tlc-tails.ts";
import { loadSettings } from "../settings.ts";
import { PGO_JAR_CHECK, pgoJarChecker, pgoJarCheckerInCheckout, resolveJava, resolvePgoJar } from "./pgo-jar.ts";

const realLog = join(TLC_LOGS, "raftkvs-3server-tracelink.log");
const tracesDir = join(PGO_TRACES, "dqueue/ok/4161323826586722756");

const FAKE_JAVA = `#!/bin/bash
# Fake java: stands in for \`java -jar pgo.jar <tracegen|tlc> ...\` and TLC (see pgo-jar.test.ts).
here=$(dirname "$0")
printf '%s\\n' "$*" >> "$here/calls"
case "$3" in
  tracegen)
    name=$(basename "$4" .tla)
    echo "---- MODULE \${name}Validate ----" > "$5/\${name}Validate.tla"
    cat "$here/tracegen.out"
    exit "$(cat "$here/tracegen.rc")" ;;
  tlc)
    if [ -f "$here/hang" ]; then
      sleep 600 &   # the TLC JVM pgo.jar starts as its own child, which prints and never ends
      echo $! > "$here/tlc.pid"
      cat "$here/tlc.out"
      wait
    fi
    cat "$here/tlc.out"
    exit "$(cat "$here/tlc.rc")" ;;
esac
exit 2
`;

interface Scenario {
  tlcTail?: string;
  tlcRc?: number;
  tracegenOut?: string;
  tracegenRc?: number;
  hang?: boolean;
}

async function fakePgo(scenario: Scenario) {
  const dir = await testDir("fake-pgo-");
  const bin = join(dir, "bin");
  await mkdir(bin);
  const java = join(bin, "java");
  await writeFile(java, FAKE_JAVA);
  await chmod(java, 0o755);
  const log = (await readFile(realLog, "utf8")).split("\n");
  const split = log.findIndex((l) => l.includes("pgo.jar tlc --dfs"));
  await writeFile(join(bin, "tracegen.out"), scenario.tracegenOut ?? `${log.slice(1, split).join("\n")}\n`);
  await writeFile(join(bin, "tracegen.rc"), String(scenario.tracegenRc ?? 0));
  await writeFile(join(bin, "tlc.out"), `${log.slice(split + 1).join("\n")}\n${scenario.tlcTail ?? ""}`);
  await writeFile(join(bin, "tlc.rc"), String(scenario.tlcRc ?? 0));
  if (scenario.hang) await writeFile(join(bin, "hang"), "");
  const jar = join(dir, "pgo.jar");
  await writeFile(jar, "");
  const spec = join(dir, "dqueue.tla");
  await writeFile(spec, "---- MODULE dqueue ----\n====\n");
  const artifactsDir = join(dir, "artifacts");
  await mkdir(artifactsDir);
  const lines: string[] = [];
  return { dir, bin, jar, spec, artifactsDir, lines, env: { PATH: bin, PGO_JAR: jar }, ctx: { tracesDir, artifactsDir, log: (l: string) => lines.push(l) } };
}

// A killed process whose parent died may linger as a zombie until init reaps it; a zombie is not running.
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
};

test("pass: runs tracegen then tlc --dfs on the Validate spec, with the exact pgo.jar command lines", async () => {
  const f = await fakePgo({ tlcTail: SUCCESS_TAIL });
  const [r] = await pgoJarChecker({ spec: f.spec, env: f.env }).check(f.ctx);
  expect(r?.name).toBe(PGO_JAR_CHECK);
  expect(r?.valid).toBe(true);
  expect(r?.summary).toMatch(/401003 distinct states, no error/);
  const workDir = join(f.artifactsDir, "pgo-jar");
  const calls = (await readFile(join(f.bin, "calls"), "utf8")).trim().split("\n");
  expect(calls).toEqual([
    `-jar ${f.jar} tracegen ${f.spec} ${workDir} --logs-dir ${tracesDir} --noall-paths --progress-inv`,
    `-jar ${f.jar} tlc --dfs -- ${join(workDir, "dqueueValidate.tla")}`,
  ]);
  expect(r?.artifacts).toContain(join(workDir, "dqueueValidate.tla"));
  // The full console output is kept as an artifact, and progress was shown while TLC ran.
  const kept = await readFile(join(workDir, "pgo-jar.log"), "utf8");
  expect(kept).toContain("Model checking completed. No error has been found.");
  expect(f.lines.filter((l) => l.startsWith("TLC: depth")).length).toBe(5);
  expect(f.lines).toContain("pgo.jar: tracegen read 16 trace file(s) in 30775 ms");
  // The run's traces directory is left as it was.
  expect((await readdir(tracesDir)).every((n) => n.startsWith("trace-"))).toBe(true);
});

test("fail: TLC's reason and the counterexample's length", async () => {
  const f = await fakePgo({ tlcTail: INVARIANT_TAIL, tlcRc: 1 });
  const [r] = await pgoJarChecker({ spec: f.spec, env: f.env }).check(f.ctx);
  expect(r?.valid).toBe(false);
  expect(r?.summary).toBe(`TLC: Invariant __progress_inv_3 is violated (counterexample of 3 states); full output in ${join(f.artifactsDir, "pgo-jar/pgo-jar.log")}`);
  expect((r?.details as { tlc: { counterexampleStates: number } }).tlc.counterexampleStates).toBe(3);
});

test("fail: tracegen rejecting the traces stops before TLC", async () => {
  const f = await fakePgo({ tracegenOut: "failed in 85 milliseconds:\ntrace-0-1.log: no matching archetype\n", tracegenRc: 1 });
  const [r] = await pgoJarChecker({ spec: f.spec, env: f.env }).check(f.ctx);
  expect(r?.valid).toBe(false);
  expect(r?.summary).toMatch(/pgo\.jar failed in 85 milliseconds/);
  expect((await readFile(join(f.bin, "calls"), "utf8")).trim().split("\n")).toHaveLength(1);
});

test("TLC exiting non-zero without a verdict is not a pass", async () => {
  const f = await fakePgo({ tlcRc: 137 });
  const [r] = await pgoJarChecker({ spec: f.spec, env: f.env }).check(f.ctx);
  expect(r?.valid).toBe("unknown");
  expect(r?.summary).toMatch(/ends before model checking finished \(pgo\.jar exited with code 137\)/);
});

test("abort: ctx.signal kills pgo.jar and the TLC JVM it started, after progress was shown", async () => {
  const f = await fakePgo({ hang: true });
  const controller = new AbortController();
  const ctx = {
    ...f.ctx,
    signal: controller.signal,
    log: (l: string) => {
      f.lines.push(l);
      if (/Progress\(52728\)|depth 52728/.test(l)) controller.abort();
    },
  };
  const started = Date.now();
  const [r] = await pgoJarChecker({ spec: f.spec, env: f.env, killGraceMs: 500 }).check(ctx);
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(r?.valid).toBe("unknown");
  expect(r?.summary).toMatch(/aborted at depth 52728 with 344032 distinct states; TLC had not finished/);
  const tlcPid = Number(await readFile(join(f.bin, "tlc.pid"), "utf8"));
  await new Promise((ok) => setTimeout(ok, 200));
  expect(alive(tlcPid)).toBe(false);
});

test("timeoutMs stops TLC and reports the check as incomplete", async () => {
  const f = await fakePgo({ hang: true });
  const [r] = await pgoJarChecker({ spec: f.spec, env: f.env, timeoutMs: 1000, killGraceMs: 500 }).check(f.ctx);
  expect(r?.valid).toBe("unknown");
  expect(r?.summary).toMatch(/stopped after 1000 ms/);
});

test("skip reasons: no jar, PGO_DIR without a build, missing java; PGO_JAR wins; a PGO_DIR build is found", async () => {
  const f = await fakePgo({});
  const noJar = await pgoJarChecker({ spec: f.spec, env: { PATH: f.bin } }).check(f.ctx);
  expect(noJar[0]?.valid).toBe("unknown");
  expect(noJar[0]?.skipped).toMatch(/set PGO_JAR/);

  const pgoDir = join(f.dir, "pgo");
  await mkdir(pgoDir);
  const unbuilt = await resolvePgoJar({ env: { PGO_DIR: pgoDir } });
  expect(unbuilt.ok ? "" : unbuilt.reason).toMatch(/run `\.\/mill pgo\.assembly` there/);
  const assembly = join(pgoDir, "out/pgo/assembly.dest/out.jar");
  await mkdir(join(pgoDir, "out/pgo/assembly.dest"), { recursive: true });
  await writeFile(assembly, "");
  expect(await resolvePgoJar({ env: { PGO_DIR: pgoDir } })).toEqual({ ok: true, value: assembly });
  expect(await resolvePgoJar({ env: { PGO_DIR: pgoDir, PGO_JAR: f.jar } })).toEqual({ ok: true, value: f.jar });
  expect(await resolvePgoJar({ env: { PGO_DIR: pgoDir, PGO_JAR: "" } })).toEqual({ ok: true, value: assembly });
  const missing = await resolvePgoJar({ env: { PGO_JAR: join(f.dir, "nope.jar") } });
  expect(missing.ok ? "" : missing.reason).toMatch(/nope\.jar" \(PGO_JAR\) is not a file/);
  // Values from Settings win over the environment.
  expect(await resolvePgoJar({ pgoDir, env: { PGO_JAR: join(f.dir, "nope.jar") } })).toEqual({ ok: false, reason: expect.stringMatching(/nope\.jar/) });
  expect(await resolvePgoJar({ pgoDir, env: {} })).toEqual({ ok: true, value: assembly });
  expect(await resolvePgoJar({ pgoJar: f.jar, env: { PGO_JAR: join(f.dir, "nope.jar") } })).toEqual({ ok: true, value: f.jar });

  const noJava = await pgoJarChecker({ spec: f.spec, env: { PATH: pgoDir, PGO_JAR: f.jar } }).check(f.ctx);
  expect(noJava[0]?.skipped).toMatch(/java is not on PATH/);
  expect(await resolveJava({ env: { PATH: `${pgoDir}:${f.bin}` } })).toEqual({ ok: true, value: join(f.bin, "java") });
});

test("a directory without trace files fails before any JVM starts; stray .log files are warned about", async () => {
  const f = await fakePgo({ tlcTail: SUCCESS_TAIL });
  const empty = join(f.dir, "empty");
  await mkdir(empty);
  const [none] = await pgoJarChecker({ spec: f.spec, env: f.env }).check({ ...f.ctx, tracesDir: empty });
  expect(none?.valid).toBe(false);
  expect(none?.summary).toBe(`no trace-*.log files in ${empty} for pgo.jar tracegen`);
  const mixed = join(f.dir, "mixed");
  await mkdir(mixed);
  const [trace] = (await readdir(tracesDir)).sort();
  await symlink(join(tracesDir, trace!), join(mixed, trace!));
  await writeFile(join(mixed, "compose.log"), "server-1 | started\n");
  const [r] = await pgoJarChecker({ spec: f.spec, env: f.env }).check({ ...f.ctx, tracesDir: mixed });
  expect(r?.valid).toBe(true);
  expect(f.lines).toContain(`pgo.jar: warning: tracegen will also read compose.log in ${mixed}`);
});

test("which spec: the system's own with PGO_JAR alone, PGo's under PGO_DIR, a skip when it has none", async () => {
  const f = await fakePgo({ tlcTail: SUCCESS_TAIL });
  const specArg = async () => (await readFile(join(f.bin, "calls"), "utf8")).trim().split("\n").at(-2)?.split(" ")[3];

  const jarOnly = loadSettings({ PATH: f.bin, PGO_JAR: f.jar }, f.dir);
  const [own] = await pgoJarCheckerInCheckout(jarOnly, "systems/dqueue/dqueue.tla", f.spec).check(f.ctx);
  expect(own?.valid).toBe(true);
  expect(await specArg()).toBe(f.spec);

  const checkout = join(f.dir, "pgo");
  await mkdir(join(checkout, "systems/dqueue"), { recursive: true });
  await writeFile(join(checkout, "systems/dqueue/dqueue.tla"), "---- MODULE dqueue ----\n====\n");
  const withCheckout = loadSettings({ PATH: f.bin, PGO_JAR: f.jar, PGO_DIR: checkout }, f.dir);
  const [theirs] = await pgoJarCheckerInCheckout(withCheckout, "systems/dqueue/dqueue.tla", f.spec).check(f.ctx);
  expect(theirs?.valid).toBe(true);
  expect(await specArg()).toBe(join(checkout, "systems/dqueue/dqueue.tla"));

  const [none] = await pgoJarCheckerInCheckout(jarOnly, "systems/dqueue/dqueue.tla").check(f.ctx);
  expect(none?.skipped).toMatch(/no spec of its own.*set PGO_DIR/);
  const [noJar] = await pgoJarCheckerInCheckout(loadSettings({ PATH: f.bin }, f.dir), "systems/dqueue/dqueue.tla", f.spec).check(f.ctx);
  expect(noJar?.skipped).toMatch(/no pgo\.jar: set PGO_JAR/);
});
