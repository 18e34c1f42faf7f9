// `pgo-harness trace check <dir>`: the basic trace checks on traces from anywhere (an Antithesis run, a CI
// artifact). Exit 0 when they pass, 1 on a violation, 2 on unusable input.
import { existsSync, statSync } from "node:fs";
import { stderr, stdout } from "node:process";
import { traceBasicsChecker } from "../check/trace-basics.ts";

export const command = {
  summary: "check a run's TraceLink traces",
  async run(args: string[]): Promise<number> {
    const [sub, dir, ...extra] = args;
    if (sub !== "check" || dir === undefined || extra.length > 0) {
      stderr.write("usage: pgo-harness trace check <dir>\n");
      return 2;
    }
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      stderr.write(`pgo-harness: "${dir}" is not a directory\n`);
      return 2;
    }
    const results = await traceBasicsChecker().check({ tracesDir: dir, artifactsDir: dir });
    for (const r of results) stdout.write(`${r.valid === true ? "ok  " : "FAIL"} ${r.name}: ${r.summary}\n`);
    return results.every((r) => r.valid === true) ? 0 : 1;
  },
};
