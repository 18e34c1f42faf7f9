// The partition shapes and the seeded source, without Docker: the same seed gives the same grudges, and each
// shape cuts what Jepsen's does.
import { describe, expect, test } from "vitest";
import { completeGrudge, describeGrudge, type Grudge, partitionGrudge, type PartitionShape } from "./kinds.ts";
import { faultSeed, Random } from "./random.ts";

const three = ["s1", "s2", "s3"];
const five = ["s1", "s2", "s3", "s4", "s5"];
const plain = (g: Grudge) => Object.fromEntries([...g].map(([k, v]) => [k, [...v].sort()]));
/** Nodes that can talk both ways with node. */
const sees = (g: Grudge, node: string, nodes: readonly string[]) => nodes.filter((o) => o === node || (!g.get(node)?.has(o) && !g.get(o)?.has(node)));

describe("partition shapes", () => {
  test("the same seed gives the same grudge; another seed may not", () => {
    const shapes: PartitionShape[] = ["one", "minority-third", "majorities-ring", "bridge", "random-halves"];
    for (const shape of shapes) {
      expect(plain(partitionGrudge(shape, five, new Random(7)))).toEqual(plain(partitionGrudge(shape, five, new Random(7))));
    }
    const seen = new Set(Array.from({ length: 20 }, (_, s) => describeGrudge(partitionGrudge("one", five, new Random(s)))));
    expect(seen.size).toBeGreaterThan(1);
  });

  test("one: a single node cut off from all others, both ways", () => {
    const g = partitionGrudge("one", five, new Random(1));
    const alone = five.filter((n) => g.get(n)!.size === 4);
    expect(alone).toHaveLength(1);
    for (const n of five) if (n !== alone[0]) expect([...g.get(n)!]).toEqual(alone);
  });

  test("minority-third and random-halves: two components, the smaller a minority", () => {
    for (const [shape, small] of [["minority-third", 1], ["random-halves", 2]] as const) {
      const g = partitionGrudge(shape, five, new Random(3));
      const sizes = five.map((n) => sees(g, n, five).length).sort();
      expect(sizes).toEqual([...Array(small).fill(small), ...Array(5 - small).fill(5 - small)].sort());
    }
  });

  test("bridge: two halves that cannot talk, and one node that talks to all", () => {
    const g = partitionGrudge("bridge", five, new Random(5));
    const bridge = five.filter((n) => sees(g, n, five).length === 5);
    expect(bridge).toHaveLength(1);
    for (const n of five) if (n !== bridge[0]) expect(sees(g, n, five)).toHaveLength(3);
  });

  test("majorities-ring: every node sees a majority, and no two see the same one", () => {
    for (const nodes of [three, five]) {
      const g = partitionGrudge("majorities-ring", nodes, new Random(9));
      const views = nodes.map((n) => nodes.filter((o) => !g.get(n)!.has(o)).sort().join());
      for (const v of views) expect(v.split(",").length).toBe(Math.floor(nodes.length / 2) + 1);
      expect(new Set(views).size).toBe(nodes.length);
    }
  });

  test("leader: the named node is isolated; without a leader it is an error", () => {
    expect(plain(partitionGrudge("leader", three, new Random(1), "s2"))).toEqual(plain(completeGrudge([["s2"], ["s1", "s3"]])));
    expect(() => partitionGrudge("leader", three, new Random(1))).toThrow(/no leader/);
    expect(() => partitionGrudge("one", ["s1"], new Random(1))).toThrow(/at least two/);
  });
});

describe("seeds", () => {
  test("FAULT_SEED replays; a bad one is named", () => {
    expect(faultSeed({ FAULT_SEED: "42" })).toBe(42);
    expect(() => faultSeed({ FAULT_SEED: "x1" })).toThrow(/FAULT_SEED must be a non-negative integer/);
    const a = new Random(42);
    const b = new Random(42);
    expect(Array.from({ length: 5 }, () => a.int(1000))).toEqual(Array.from({ length: 5 }, () => b.int(1000)));
  });
});
