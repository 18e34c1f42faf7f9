// A small seeded generator (mulberry32) so that a fault schedule is a pure function of its seed: the same
// FAULT_SEED replays the same kinds, targets and times.
export class Random {
  private state: number;
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`a fault seed must be a non-negative integer (got ${seed})`);
    this.seed = seed;
    this.state = seed >>> 0 ^ Math.floor(seed / 2 ** 32);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("nothing to pick from");
    return items[this.int(items.length)]!;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** FAULT_SEED when set (replay), otherwise a fresh seed that the run records. */
export function faultSeed(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env["FAULT_SEED"];
  if (raw === undefined || raw === "") return Math.floor(Math.random() * 2 ** 31);
  if (!/^\d{1,15}$/.test(raw)) throw new Error(`FAULT_SEED must be a non-negative integer (got "${raw}")`);
  return Number(raw);
}
