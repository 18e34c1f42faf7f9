// The validator keeps states, sets and function domains by 128-bit fingerprint (../tla-value.ts), updated per
// EXCEPT and per send/receive of a bag instead of recomputed: equal values must get one fingerprint whatever
// their representation or history, and the near misses below (the mutants) must not.
import { describe, expect, it } from "vitest";
import { fingerprint, fingerprintKey, formatTlaValue, parseTlaValue, type TlaValue } from "../tla-value.ts";
import { eq, extend, int, normalize, str, tryApply, update, without } from "./values.ts";

const v = (text: string) => normalize(parseTlaValue(text));
/** The fingerprint computed from scratch (a fresh copy of the value carries no memo). */
const fresh = (x: TlaValue) => fingerprintKey(parseTlaValue(formatTlaValue(x)));

describe("fingerprints", () => {
  it("are equal for one value in TLA+'s different representations", () => {
    expect(fingerprintKey(parseTlaValue("<<10, 20>>"))).toBe(fingerprintKey(parseTlaValue("(1 :> 10 @@ 2 :> 20)")));
    expect(fingerprintKey(parseTlaValue('[a |-> 1, b |-> 2]'))).toBe(fingerprintKey(parseTlaValue('("b" :> 2 @@ "a" :> 1)')));
    expect(fingerprintKey(parseTlaValue("{1, {2, 3}}"))).toBe(fingerprintKey(parseTlaValue("{{3, 2}, 1, 1}")));
    expect(fingerprintKey(parseTlaValue("<<>>"))).toBe(fingerprintKey(parseTlaValue("[x \\in {} |-> x]")));
  });

  it("tell apart values that differ only in how their parts are grouped or placed (mutants)", () => {
    const pairs: [string, string][] = [
      ["{{1, 2}, {3}}", "{{1}, {2, 3}}"],
      ["(1 :> 2 @@ 2 :> 1)", "(1 :> 1 @@ 2 :> 2)"],
      ["<<1, 2>>", "<<2, 1>>"],
      ['"1"', "1"],
      ["{}", "<<>>"],
      ['[a |-> "bc"]', '[ab |-> "c"]'],
      ['("m" :> 2)', '("m" :> 1)'],
      ['<<"ab", "c">>', '<<"a", "bc">>'],
      ["{<<1, 2>>}", "{<<1>>, <<2>>}"],
      ["defaultInitValue", '"defaultInitValue"'],
      ["<<<<1>>, 2>>", "<<1, <<2>>>>"],
      ["{1, 2}", "{1, 2, 3}"],
      ["TRUE", '"TRUE"'],
    ];
    for (const [a, b] of pairs) {
      expect(fingerprintKey(parseTlaValue(a)), `${a} vs ${b}`).not.toBe(fingerprintKey(parseTlaValue(b)));
      expect(eq(v(a), v(b)), `${a} = ${b}`).toBe(false);
    }
  });

  it("have no collisions among many similar messages and bags", () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 40; j++) {
        for (const text of [`[mtype |-> ${i}, mterm |-> ${j}]`, `(<<${i}, ${j}>> :> 1)`, `{${i}, ${j + 40}}`, `("k${i}" :> ${j})`]) {
          const k = fingerprintKey(parseTlaValue(text));
          expect(seen.get(k), `${text} collides`).toBeUndefined();
          seen.set(k, text);
        }
      }
    }
    expect(seen.size).toBe(40 * 40 * 4);
  });
});

describe("incremental fingerprints and the layered function index", () => {
  it("after a long history of sends, receives and EXCEPTs equal the value built from scratch", () => {
    // A bag of messages as the network holds it, driven by a fixed pseudo-random sequence of operations.
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    const msg = (i: number): TlaValue => v(`[mtype |-> "AppendEntries", mterm |-> ${i % 7}, mdest |-> ${i % 3}, mentries |-> <<${i}>>]`);
    let bag: TlaValue = v('([mtype |-> "Init"] :> 1)');
    fingerprint(bag); // known from the start, as a state's values are once the state is keyed
    const model = new Map<string, { key: TlaValue; n: bigint }>([[fingerprintKey(v('[mtype |-> "Init"]')), { key: v('[mtype |-> "Init"]'), n: 1n }]]);
    let net: TlaValue = v(`<<${formatTlaValue(bag)}, <<>> >>`);
    fingerprint(net);
    for (let step = 0; step < 600; step++) {
      const m = msg(rnd(60));
      const k = fingerprintKey(m);
      const cur = model.get(k);
      const op = rnd(3);
      if (op < 2) {
        bag = extend(bag, m, int((cur?.n ?? 0n) + 1n));
        model.set(k, { key: m, n: (cur?.n ?? 0n) + 1n });
      } else if (cur !== undefined) {
        bag = cur.n > 1n ? update(bag, m, int(cur.n - 1n)) : without(bag, m);
        if (cur.n > 1n) model.set(k, { key: m, n: cur.n - 1n });
        else model.delete(k);
      }
      net = update(net, int(1n), bag);
      if (step % 37 === 0 || step === 599) {
        // Every key the model holds is found with its count, and a key it does not hold is not.
        for (const { key, n } of model.values()) expect(tryApply(bag, key)).toEqual(int(n));
        expect(tryApply(bag, msg(999))).toBeUndefined();
        expect(fingerprintKey(bag)).toBe(fresh(bag));
        expect(fingerprintKey(net)).toBe(fresh(net));
      }
    }
    // A mutant: one copy more of one message is a different network.
    const [first] = model.values();
    const mutant = update(net, int(1n), update(bag, first!.key, int(first!.n + 1n)));
    expect(fingerprintKey(mutant)).not.toBe(fingerprintKey(net));
    expect(eq(mutant, net)).toBe(false);
    // And EXCEPT back to the same value gives the same fingerprint (states reached two ways are one state).
    const back = update(mutant, int(1n), bag);
    expect(fingerprintKey(back)).toBe(fingerprintKey(net));
  });

  it("EXCEPT on records and tuples keeps the fingerprint exact", () => {
    const r = v('[a |-> <<1, 2>>, b |-> "x"]');
    fingerprint(r);
    const r2 = update(r, str("a"), update(tryApply(r, str("a"))!, int(2n), int(3n)));
    expect(fingerprintKey(r2)).toBe(fingerprintKey(parseTlaValue('[a |-> <<1, 3>>, b |-> "x"]')));
    expect(fingerprintKey(r2)).not.toBe(fingerprintKey(r));
  });
});
