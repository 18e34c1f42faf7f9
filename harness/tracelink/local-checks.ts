// The per-file TraceLink checks (issue 4, a–e and the per-file half of h). Each sees one file's records in
// order, keeps only a little state per file (the last clock, the current label, the last value per variable),
// and reports violations as file:line plus one sentence. They all run in one streaming pass over each file.
import { instanceKey, ownClock } from "./record.ts";
import type { CsElement, TraceRecord } from "./record.ts";
import { selfOfFile } from "./reader.ts";
import { tlaTextEquals } from "./tla-value.ts";

/** `variable` names the variable a violation is about (name[indices]), when the check is about one. */
export type Report = (line: number, message: string, variable?: string) => void;

export interface FileVisitor {
  record(line: number, record: TraceRecord): void;
  /**
   * A restart: the next record is the first of a later incarnation of the instance (its next trace file). The
   * clock and times continue across it; what the process held in memory (its label, its last values) does not.
   */
  incarnation?(): void;
}

export interface LocalCheck {
  /** The CheckResult name, "tracelink/<check>". */
  readonly name: string;
  /** What holds when there is no violation (one sentence fragment). */
  readonly holds: string;
  /** A fresh visitor for one file (`file` is its base name). */
  forFile(file: string, report: Report): FileVisitor;
}

// The per-file checks see an instance's files (its incarnations) as one stream, in order: the own clock counts
// on, no clock entry decreases and sections do not overlap across a restart, as within one file.

/** a. Every record of a file is of one instance, and its self is the one in the file name. */
export const oneInstancePerFile: LocalCheck = {
  name: "tracelink/one-instance-per-file",
  holds: "each file holds one instance whose self matches the file name",
  forFile(file, report) {
    const expectedSelf = selfOfFile(file);
    let first: { archetype: string; self: string } | undefined;
    return {
      record(line, r) {
        if (first === undefined) {
          first = { archetype: r.archetypeName, self: r.self };
          if (r.self !== expectedSelf) report(line, `self ${r.self} does not match the file name, which says self ${expectedSelf ?? "(none)"}.`);
        } else if (r.archetypeName !== first.archetype || r.self !== first.self) {
          report(line, `record of ${r.archetypeName}(${r.self}) in the file of ${first.archetype}(${first.self}); a file holds one instance.`);
        }
      },
    };
  },
};

/**
 * b. The own clock entry counts the instance's sections, aborted ones included, so it equals the line number.
 * After a mismatch the expectation follows the clock, so a deleted line is one violation, not one per line after.
 */
export const ownClockIsLine: LocalCheck = {
  name: "tracelink/own-clock-is-line",
  holds: "every record's own clock entry equals its line number (counted on over a restarted instance's files)",
  forFile(_file, report) {
    let n = 0;
    let offset = 0;
    return {
      record(line, r) {
        n++;
        const own = ownClock(r);
        if (own === undefined) {
          report(line, `the clock has no entry for the record's own instance ${instanceKey(r.archetypeName, r.self)}.`);
          return;
        }
        if (own - n !== offset) {
          report(line, `own clock entry is ${own}, expected ${n + offset} (${offset !== 0 ? "one more than the previous record's" : n === line ? "the line number" : "the instance's records so far, its earlier incarnations' included"}).`);
          offset = own - n;
        }
      },
    };
  },
};

/** c. No clock entry decreases from one record of a file to the next (a missing entry counts as 0). */
export const clockMonotone: LocalCheck = {
  name: "tracelink/clock-monotone",
  holds: "no clock entry decreases within a file",
  forFile(_file, report) {
    let previous = new Map<string, number>();
    return {
      record(line, r) {
        const now = new Map<string, number>();
        for (const [[a, s], n] of r.clock) now.set(instanceKey(a, s), n);
        for (const [key, before] of previous) {
          const after = now.get(key) ?? 0;
          if (after < before) report(line, `clock entry ${key} decreases from ${before} on the previous record to ${after}.`);
        }
        previous = now;
      },
    };
  },
};

const isPc = (e: CsElement | undefined) => e?.name.name === ".pc" && e.indices.length === 0;

/**
 * d. Every section starts by reading `.pc`, and reads the label the last committed section wrote (aborted
 * sections start from that label too, and change nothing).
 */
export const pcContinuity: LocalCheck = {
  name: "tracelink/pc-continuity",
  holds: "every section reads the .pc the previous committed section wrote (after a restart: the instance's first label)",
  forFile(_file, report) {
    let pc: string | undefined;
    let pcLine = 0;
    /** The label the instance's first section read: where a restarted process starts again. */
    let initial: string | undefined;
    let restarted = false;
    return {
      incarnation() {
        pc = initial;
        restarted = true;
      },
      record(line, r) {
        const [first] = r.csElements;
        if (!isPc(first) || first?.tag !== "read") {
          report(line, `the first element is a ${first?.tag ?? "missing element"} of ${first?.name.name ?? "nothing"}, not a read of .pc.`);
          return;
        }
        initial ??= first.value;
        if (pc !== undefined && !tlaTextEquals(first.value, pc)) {
          report(line, restarted
            ? `the first section after a restart reads .pc = ${first.value}, but a restarted instance starts again at its first label ${pc}.`
            : `the section reads .pc = ${first.value}, but the committed section on line ${pcLine} left it at ${pc}.`);
        }
        restarted = false;
        if (r.isAbort) return;
        let next = first.value;
        for (const e of r.csElements) if (isPc(e) && e.tag === "write") next = e.value;
        pc = next;
        pcLine = line;
      },
    };
  },
};

/** The variable an element touches within its instance: prefix, name and indices. */
const variableOf = (e: CsElement) => `${e.name.prefix}.${e.name.name}[${e.indices.join(",")}]`;

/**
 * e. A write's `oldValue` equals the last value this instance read or wrote at the same variable (name and
 * indices), counting committed sections only; a variable seen for the first time is not checked.
 */
export const oldValueMatches: LocalCheck = {
  name: "tracelink/old-value",
  holds: "every oldValue equals the last value read or written at that variable",
  forFile(_file, report) {
    const last = new Map<string, { value: string; line: number }>();
    return {
      incarnation: () => last.clear(), // a restarted process remembers nothing it did not read again
      record(line, r) {
        const section = new Map<string, { value: string; line: number }>();
        const known = (v: string) => section.get(v) ?? last.get(v);
        for (const e of r.csElements) {
          const v = variableOf(e);
          if (e.tag === "write" && e.oldValue !== undefined) {
            const before = known(v);
            if (before !== undefined && !tlaTextEquals(e.oldValue, before.value)) {
              report(line, `the write to ${v.slice(1 + e.name.prefix.length)} has oldValue ${e.oldValue}, but line ${before.line} left it at ${before.value}.`, sharedKey(e));
            }
          }
          section.set(v, { value: e.value, line });
        }
        if (!r.isAbort) for (const [k, v] of section) last.set(k, v);
      },
    };
  },
};

/** A variable as it may be shared between archetype instances of one process: name and indices, no prefix. */
export const sharedKey = (e: CsElement) => `${e.name.name}[${e.indices.join(",")}]`;

/**
 * Which variables are written by more than one archetype. PGo's raftkvs runs several archetypes per server
 * (AServer, AServerRequestVote, …) over one shared state (`votedFor[1]`, …): a write by one changes what the
 * other's next oldValue is, with nothing in its own trace to show it. Seen on PGo's 3-server raftkvs (the
 * 1-server corpus never contends). Not reported itself; index.ts uses it to tell shared state from local.
 */
export class SharedStateSurvey implements LocalCheck {
  readonly name = "tracelink/shared-state-survey";
  readonly holds = "";
  private readonly writers = new Map<string, Set<string>>();
  forFile(): FileVisitor {
    return {
      record: (_line, r) => {
        if (r.isAbort) return;
        for (const e of r.csElements) {
          if (e.tag !== "write" || e.name.name === ".pc") continue;
          const k = sharedKey(e);
          let set = this.writers.get(k);
          if (set === undefined) this.writers.set(k, (set = new Set()));
          set.add(r.archetypeName);
        }
      },
    };
  }
  /** The archetypes writing `variable` when more than one does, else undefined. */
  sharedBy(variable: string): readonly string[] | undefined {
    const set = this.writers.get(variable);
    return set !== undefined && set.size > 1 ? [...set].sort() : undefined;
  }
}

const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;
// Consecutive records share the whole-second part, so one cached Date.parse serves most calls.
let cachedSecond = "";
let cachedMs = 0;

/** RFC 3339 with up to nanoseconds → nanoseconds since the epoch (Date alone keeps only milliseconds). */
export function timeNanos(text: string): bigint {
  const m = TIME.exec(text);
  if (m === null) throw new RangeError(`not an RFC 3339 time: ${text}`);
  const second = `${m[1]}${m[3]}`;
  if (second !== cachedSecond) {
    const ms = Date.parse(second);
    if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 time: ${text}`);
    cachedSecond = second;
    cachedMs = ms;
  }
  return BigInt(cachedMs) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** h (per file). A section does not end before it starts, and starts no earlier than the previous one ended. */
export const timeWithinFile: LocalCheck = {
  name: "tracelink/time-sanity",
  holds: "start <= end, sections of one instance do not overlap, dependencies start before their dependents end",
  forFile(_file, report) {
    let previousEnd: bigint | undefined;
    let previousLine = 0;
    let restarted = false;
    return {
      incarnation() {
        restarted = previousEnd !== undefined;
      },
      record(line, r) {
        const start = timeNanos(r.startTime);
        const end = timeNanos(r.endTime);
        if (end < start) report(line, `the section ends (${r.endTime}) before it starts (${r.startTime}).`);
        if (previousEnd !== undefined && start < previousEnd) {
          report(line, restarted
            ? `the first section after a restart starts (${r.startTime}) before the earlier incarnation's last section (its line ${previousLine}) ended.`
            : `the section starts (${r.startTime}) before the section on line ${previousLine} ended; sections of one instance do not overlap.`);
        }
        restarted = false;
        previousEnd = end;
        previousLine = line;
      },
    };
  },
};

export const localChecks: readonly LocalCheck[] = [oneInstancePerFile, ownClockIsLine, clockMonotone, pcContinuity, oldValueMatches, timeWithinFile];
