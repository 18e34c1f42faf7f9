// The cross-file TraceLink checks (issue 4, f, g and the causal half of h), done in one causal replay.
//
// Memory bound: the replay holds one pending record per file (the head of each file's stream), a consumed
// count and the last clock per instance, a ring of the last START_WINDOW start times per instance, and for
// mailbox matching the messages written but not yet read (value, clock count, place, start time). So memory
// grows with the number of instances and the messages in flight, not with the length of the run.
import { basename } from "node:path";
import { timeNanos } from "./local-checks.ts";
import type { FileVisitor, LocalCheck } from "./local-checks.ts";
import { instanceKey, ownClock } from "./record.ts";
import type { TraceRecord } from "./record.ts";
import { incarnations, readIncarnations } from "./reader.ts";
import { tlaTextEquals } from "./tla-value.ts";

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** One record as the replay hands it on, with the place it came from. */
export interface ReplayEvent {
  readonly file: string;
  readonly line: number;
  readonly record: TraceRecord;
  /** `archetype:self` */
  readonly instance: string;
  /** The consumed count of every instance before this record (read only). */
  readonly consumed: ReadonlyMap<string, number>;
}

export interface ReplayObserver {
  consume(event: ReplayEvent): void;
}

export interface ReplayResult {
  readonly consumed: number;
  /** Records that could not be consumed: one line per stuck file, saying what its next record waits on. */
  readonly frontier: readonly Violation[];
}

const clockMap = (r: TraceRecord) => {
  const m = new Map<string, number>();
  for (const [[a, s], n] of r.clock) m.set(instanceKey(a, s), n);
  return m;
};

interface Head {
  file: string;
  readonly lines: AsyncGenerator<{ file: string; line: number; record: TraceRecord }>;
  line: number;
  record: TraceRecord;
  instance: string;
  clock: Map<string, number>;
}

/**
 * f. Replays the files in causal order: an instance's next record is ready when its own entry is one more than
 * the instance's consumed count and every other entry is already consumed. Observers see each record once, in
 * that order. An instance's files are its incarnations, read one after another: a restarted instance's first
 * record must count on from where its earlier file ended, else the replay sticks there. When no file's next record is ready the replay stops and reports that frontier.
 */
export async function causalReplay(files: readonly string[], observers: readonly ReplayObserver[], signal?: AbortSignal): Promise<ReplayResult> {
  const heads: Head[] = [];
  const advance = async (head: Head): Promise<boolean> => {
    const next = await head.lines.next();
    if (next.done === true) return false;
    head.file = next.value.file;
    head.line = next.value.line;
    head.record = next.value.record;
    head.instance = instanceKey(head.record.archetypeName, head.record.self);
    head.clock = clockMap(head.record);
    return true;
  };
  // One stream per instance: a restarted instance's files (its incarnations) in order, its clock counting on.
  for (const group of incarnations(files)) {
    const lines = readIncarnations(group.files);
    const head: Head = { file: basename(group.files[0]!), lines, line: 0, record: undefined as never, instance: "", clock: new Map() };
    if (await advance(head)) heads.push(head);
  }
  const consumed = new Map<string, number>();
  const ready = (h: Head) => {
    for (const [key, n] of h.clock) {
      const done = consumed.get(key) ?? 0;
      if (key === h.instance ? n !== done + 1 : n > done) return false;
    }
    return h.clock.has(h.instance);
  };
  let total = 0;
  let live = heads;
  try {
    while (live.length > 0) {
      signal?.throwIfAborted();
      let progress = false;
      const stillLive: Head[] = [];
      for (const h of live) {
        let more = true;
        while (more && ready(h)) {
          const event: ReplayEvent = { file: h.file, line: h.line, record: h.record, instance: h.instance, consumed };
          for (const o of observers) o.consume(event);
          consumed.set(h.instance, (consumed.get(h.instance) ?? 0) + 1);
          total++;
          progress = true;
          more = await advance(h);
        }
        if (more) stillLive.push(h);
      }
      live = stillLive;
      if (!progress) break;
    }
  } finally {
    for (const h of heads) await h.lines.return(undefined);
  }
  const known = new Set(heads.map((h) => h.instance));
  const frontier = live.map((h): Violation => {
    const waits: string[] = [];
    for (const [key, n] of h.clock) {
      const done = consumed.get(key) ?? 0;
      if (key === h.instance ? n !== done + 1 : n > done) {
        waits.push(key === h.instance ? `its own entry is ${n}, expected ${done + 1}` : `${key} #${n} (${done} consumed${known.has(key) ? "" : ", and no trace file holds that instance"})`);
      }
    }
    if (!h.clock.has(h.instance)) waits.push("its own clock entry, which is missing");
    return { file: h.file, line: h.line, message: `the replay is stuck: ${h.instance} #${ownClock(h.record) ?? "?"} waits on ${waits.slice(0, 4).join(", ")}${waits.length > 4 ? ` and ${waits.length - 4} more` : ""}.` };
  });
  return { consumed: total, frontier };
}

// ---- mailbox names ----

/**
 * Which variables are network mailboxes, derived from the data. In PGo's TCP mailboxes (dqueue `net`, locksvc
 * `network`, raftkvs `net`) the receiver reads only its own slot `name[self]` and senders write only into other
 * instances' slots `name[receiver]`. Shared local state read from several archetypes (raftkvs `state[srvId]`,
 * `log[srvId]`) or in-process channels (raftkvs `appendEntriesCh[srvId]`, read by an instance whose self is not
 * the index) break that pattern, so they are not taken for mailboxes. A name must be both read and written.
 */
export class MailboxSurvey implements LocalCheck {
  readonly name = "tracelink/mailbox-survey";
  readonly holds = "";
  private readonly stats = new Map<string, { ownReads: number; otherReads: number; otherWrites: number; ownWrites: number }>();

  forFile(): FileVisitor {
    return {
      record: (_line, r) => {
        for (const e of r.csElements) {
          if (e.name.name === ".pc") continue;
          let s = this.stats.get(e.name.name);
          if (s === undefined) this.stats.set(e.name.name, (s = { ownReads: 0, otherReads: 0, otherWrites: 0, ownWrites: 0 }));
          const own = e.indices.length === 1 && e.indices[0] === r.self;
          const single = e.indices.length === 1;
          if (e.tag === "read") {
            if (own) s.ownReads++;
            else s.otherReads++;
          } else if (single && !own) s.otherWrites++;
          else s.ownWrites++;
        }
      },
    };
  }

  mailboxes(): string[] {
    return [...this.stats].filter(([, s]) => s.ownReads > 0 && s.otherWrites > 0 && s.otherReads === 0 && s.ownWrites === 0).map(([n]) => n).sort();
  }
}

// ---- g. mailbox matching ----

interface Message {
  readonly value: string;
  /** The sender's own clock entry at the write. */
  readonly count: number;
  readonly file: string;
  readonly line: number;
  readonly start: bigint;
}

/** A FIFO queue that does not shift arrays. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  /** The i-th item from the head. */
  at(i: number): T | undefined {
    return this.items[this.head + i];
  }
  push(x: T): void {
    this.items.push(x);
  }
  shift(n = 1): void {
    this.head += n;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * g. Every committed read of a mailbox slot `name[i]` takes an unread write to that slot by one sender, in the
 * sender's order (per-sender FIFO, as over TCP): the value must be equal, and the write causally before the read
 * (the read's clock entry for the sender is at least the write's count). Aborted sections send and receive
 * nothing. By default messages may be lost (a real network drops them when a connection fails, and Raft
 * tolerates it): the sender's unread writes before the matched one are counted as lost, so a read still may not
 * take a message out of order or one never sent. With allowLoss false the match must be the sender's next write.
 * When several senders have a fitting message, the one the reader learns of with this record (its clock entry
 * for the sender grew past the message) is taken, then the one skipping the fewest.
 */
export class MailboxMatching implements ReplayObserver {
  matched = 0;
  /** Writes passed over because a later write of the same sender to the same slot was read (loss allowed). */
  lost = 0;
  private readonly loss: boolean;
  private readonly names: ReadonlySet<string>;
  /** slot → sender → messages in flight */
  private readonly slots = new Map<string, Map<string, Queue<Message>>>();
  private readonly lastClock = new Map<string, Map<string, number>>();
  /** Called with each match, for the time check. */
  onMatch?: (write: Message, read: ReplayEvent) => void;

  private readonly report: (v: Violation) => void;

  constructor(mailboxes: Iterable<string>, report: (v: Violation) => void, options: { allowLoss?: boolean } = {}) {
    this.names = new Set(mailboxes);
    this.report = report;
    this.loss = options.allowLoss ?? true;
  }

  consume(ev: ReplayEvent): void {
    const clock = clockMap(ev.record);
    const previous = this.lastClock.get(ev.instance) ?? new Map<string, number>();
    this.lastClock.set(ev.instance, clock);
    if (ev.record.isAbort) return;
    const count = clock.get(ev.instance) ?? 0;
    for (const e of ev.record.csElements) {
      if (!this.names.has(e.name.name)) continue;
      const slot = `${e.name.name}[${e.indices.join(",")}]`;
      let senders = this.slots.get(slot);
      if (senders === undefined) this.slots.set(slot, (senders = new Map()));
      if (e.tag === "write") {
        let q = senders.get(ev.instance);
        if (q === undefined) senders.set(ev.instance, (q = new Queue()));
        q.push({ value: e.value, count, file: ev.file, line: ev.line, start: timeNanos(ev.record.startTime) });
        continue;
      }
      // Per sender, the oldest unread write that fits (equal value, causally before the read). Without loss it
      // must be the sender's next one; with loss, the ones before it are taken as lost.
      const fits: { sender: string; q: Queue<Message>; m: Message; skip: number }[] = [];
      for (const [sender, q] of senders) {
        const known = clock.get(sender) ?? 0;
        for (let i = 0; i < (this.loss ? q.size : Math.min(1, q.size)); i++) {
          const m = q.at(i)!;
          if (m.count > known) break; // later writes are not causally before the read either
          if (tlaTextEquals(m.value, e.value)) {
            fits.push({ sender, q, m, skip: i });
            break;
          }
        }
      }
      // Prefer the sender this record learns of (its clock entry grew past the message), then the fewest skipped.
      fits.sort((x, y) => Number(y.m.count > (previous.get(y.sender) ?? 0)) - Number(x.m.count > (previous.get(x.sender) ?? 0)) || x.skip - y.skip);
      const pick = fits[0];
      if (pick === undefined) {
        const heads = [...senders].filter(([, q]) => q.size > 0).map(([s, q]) => `${s} sent ${q.peek()!.value.slice(0, 60)} (${q.peek()!.file}:${q.peek()!.line})`);
        this.report({
          file: ev.file,
          line: ev.line,
          message: `${ev.instance} reads ${slot} = ${e.value.slice(0, 80)}, which matches no sender's next unread write causally before it${heads.length > 0 ? `; next unread: ${heads.slice(0, 2).join("; ")}` : "; nothing was sent there"}.`,
        });
        continue;
      }
      pick.q.shift(pick.skip + 1);
      this.lost += pick.skip;
      this.matched++;
      this.onMatch?.(pick.m, ev);
    }
  }
}

// ---- h. time across instances ----

/** How many recent start times per instance CausalTime keeps (a ring), for dependencies on older records. */
export const START_WINDOW = 4096;

/**
 * h (causal half). A record's dependencies start before it ends: for every instance in its clock, the record
 * of that instance the clock names, and the write each mailbox read matched. Starts within an instance only
 * grow (the per-file time check), so when the instance's latest start is not after this end, no older one is;
 * otherwise the named record's start is looked up in a ring of the last START_WINDOW starts, which bounds the
 * memory (a dependency older than that is not checked).
 */
export class CausalTime implements ReplayObserver {
  private readonly report: (v: Violation) => void;
  private readonly last = new Map<string, { starts: bigint[]; count: number; file: string; lines: number[] }>();

  constructor(report: (v: Violation) => void) {
    this.report = report;
  }

  consume(ev: ReplayEvent): void {
    const end = timeNanos(ev.record.endTime);
    for (const [[a, s], n] of ev.record.clock) {
      const key = instanceKey(a, s);
      const dep = this.last.get(key);
      if (key === ev.instance || dep === undefined || n > dep.count || dep.count - n >= START_WINDOW) continue;
      if (dep.starts[dep.count % START_WINDOW]! <= end) continue;
      const start = dep.starts[n % START_WINDOW]!;
      if (start > end) {
        this.report({ file: ev.file, line: ev.line, message: `the section ends (${ev.record.endTime}) before its dependency ${dep.file}:${dep.lines[n % START_WINDOW]} (${key} #${n}) starts.` });
      }
    }
    const own = ownClock(ev.record) ?? 0;
    let mine = this.last.get(ev.instance);
    if (mine === undefined) this.last.set(ev.instance, (mine = { starts: [], count: 0, file: ev.file, lines: [] }));
    mine.starts[own % START_WINDOW] = timeNanos(ev.record.startTime);
    mine.lines[own % START_WINDOW] = ev.line;
    mine.count = own;
  }

  matched(write: { start: bigint; file: string; line: number }, read: ReplayEvent): void {
    if (write.start > timeNanos(read.record.endTime)) {
      this.report({ file: read.file, line: read.line, message: `the section ends before the write it reads (${write.file}:${write.line}) starts.` });
    }
  }
}
