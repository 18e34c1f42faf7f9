// The TLA+ front end and evaluator on the constructs PGo's specs use: each expression's value is the one TLC
// gives (worked out by hand from the TLA+ definitions), and what is not supported is refused with file:line.
import { expect, test } from "vitest";
import { formatTlaValue, parseTlaValue, tlaEquals } from "../tla-value.ts";
import { Evaluator } from "./eval.ts";
import { SpecError } from "./lexer.ts";
import { parseModule } from "./module.ts";
import { EvalError } from "./values.ts";

const MODULE = `---- MODULE t ----
EXTENDS Naturals, Sequences, FiniteSets, TLC, Bags
CONSTANT N
VARIABLES x, y

Sq(a) == a * a
RECURSIVE Fact(_)
Fact(k) == IF k = 0 THEN 1 ELSE k * Fact(k - 1)
Twice(F(_), a) == F(F(a))
Inc(a) == a + 1
Set == {1, 2, 3}

Init == /\\ x = [i \\in 1..N |-> 0]
        /\\ y = <<>>

Step(i) == /\\ x[i] < 2
           /\\ x' = [x EXCEPT ![i] = @ + 1]
           /\\ UNCHANGED y

Next == \\E i \\in 1..N : Step(i)
====`;

const mod = parseModule(MODULE, "t.tla");
const ev = new Evaluator(mod, new Map([["N", { kind: "int", value: 2n }]]));
const ctx = { state: { x: parseTlaValue("<<0, 0>>"), y: parseTlaValue("<<>>") }, next: undefined, memo: new Map() };

function value(text: string): string {
  const m = parseModule(`---- MODULE e ----\nE == ${text}\n====`, "e.tla");
  const body = m.defs.get("E")!.get().body;
  return formatTlaValue(ev.val(body, ctx));
}
const same = (text: string, expected: string) => expect(tlaEquals(parseTlaValue(value(text)), parseTlaValue(expected)), `${text} = ${value(text)}`).toBe(true);

test("arithmetic, sets, sequences, functions and records evaluate as in TLC", () => {
  same("(7 % 3) + (-7 % 3) + (7 \\div 2) + 2^10", "1030");
  same("{x \\in 1..6 : x % 2 = 0} \\cup {9} \\ {4}", "{2, 6, 9}");
  same("{Sq(k) : k \\in Set}", "{1, 4, 9}");
  same("Cardinality(SUBSET Set) + Cardinality(Set \\X {1, 2})", "14");
  same("<<Len(<<1, 2>> \\o <<3>>), Head(<<4, 5>>), Tail(<<4, 5>>), Append(<<>>, 1), SubSeq(<<1, 2, 3, 4>>, 2, 3)>>", "<<3, 4, <<5>>, <<1>>, <<2, 3>>>>");
  same("SelectSeq(<<1, 2, 3, 4>>, LAMBDA e : e % 2 = 0)", "<<2, 4>>");
  same("DOMAIN [k \\in {\"a\", \"b\"} |-> 0]", '{"a", "b"}');
  same("(1 :> \"x\" @@ 2 :> \"y\" @@ 1 :> \"z\")[1]", '"x"');
  same("CHOOSE k \\in 1..10 : k * k > 20", "5");
  same("\\A k \\in Set : \\E j \\in Set : j > k \\/ k = 3", "TRUE");
  same("LET f(a) == a + 1 g == f(1) IN g * Twice(Inc, 0)", "4");
  same("Fact(5)", "120");
  same("CASE 1 > 2 -> 0 [] 2 > 1 -> 1 [] OTHER -> 2", "1");
  same("<<1, 2>> \\in Seq(Nat) /\\ [a |-> 1] \\in [a : Nat] /\\ (1 :> 2) \\in [{1} -> {2}]", "TRUE");
  same("BagCardinality(SetToBag({1, 2}) (+) SetToBag({2})) + CopiesIn(2, SetToBag({2}) (+) SetToBag({2}))", "5");
  same("BagToSet((SetToBag({1, 2}) (+) SetToBag({2})) (-) SetToBag({1, 2}))", "{2}");
});

test("record EXCEPT with paths", () => {
  same("[[a |-> <<1, 2>>, b |-> \"y\"] EXCEPT !.a[2] = @ * 10, !.b = \"z\"]", '[a |-> <<1, 20>>, b |-> "z"]');
});

test("bullet lists nest by column", () => {
  same(`/\\ TRUE
      /\\ \\/ FALSE
         \\/ TRUE
      /\\ 1 = 1`, "TRUE");
  same(`\\/ /\\ TRUE
         /\\ FALSE
      \\/ FALSE`, "FALSE");
});

test("Init as assignments, and an action as a predicate over two states", () => {
  const s0 = ev.initialState();
  expect(formatTlaValue(s0.x!)).toBe("<<0, 0>>");
  const next = mod.defs.get("Next")!.get().body;
  const ok = { state: s0, next: { x: parseTlaValue("<<0, 1>>"), y: s0.y! }, memo: new Map() };
  const bad = { state: s0, next: { x: parseTlaValue("<<0, 2>>"), y: s0.y! }, memo: new Map() };
  expect(ev.holds(next, ok)).toBe(true);
  expect(ev.holds(next, bad)).toBe(false);
});

test("what cannot be evaluated is refused, naming the place", () => {
  expect(() => value("<<1>>[2]")).toThrow(EvalError);
  expect(() => value("CHOOSE k \\in {} : TRUE")).toThrow(/CHOOSE found no element/);
  expect(() => value("\\E k \\in Nat : k = 1")).toThrow(/cannot enumerate Nat/);
  expect(() => value("Undefined + 1")).toThrow(/\.tla:2: unknown name Undefined/);
  expect(() => parseModule("---- MODULE b ----\nE == (1 + \n====", "b.tla").defs.get("E")!.get()).toThrow(SpecError);
});

test("bags of messages (a network): sends and receives done in place give TLC's bags", () => {
  const b = "(SetToBag({[t |-> 1], [t |-> 2]}) (+) SetToBag({[t |-> 2]}))";
  same(`${b} (+) SetToBag({[t |-> 3]})`, "([t |-> 1] :> 1 @@ [t |-> 2] :> 2 @@ [t |-> 3] :> 1)");
  same(`${b} (-) SetToBag({[t |-> 2]})`, "([t |-> 1] :> 1 @@ [t |-> 2] :> 1)");
  same(`(${b} (-) SetToBag({[t |-> 1]})) (-) SetToBag({[t |-> 2]})`, "([t |-> 2] :> 1)");
  same(`((${b} (-) SetToBag({[t |-> 1]})) (-) SetToBag({[t |-> 2]})) (-) SetToBag({[t |-> 2]})`, "<<>>");
  same(`${b} (-) SetToBag({[t |-> 9]})`, "([t |-> 1] :> 1 @@ [t |-> 2] :> 2)");
  same(`<<[t |-> 2] \\in BagToSet(${b}), [t |-> 3] \\in BagToSet(${b}), Cardinality(BagToSet(${b})), BagToSet(${b}) = {[t |-> 1], [t |-> 2]}>>`, "<<TRUE, FALSE, 2, TRUE>>");
  same(`<<\\E m \\in BagToSet(${b}) : m.t = 2, \\E m \\in BagToSet(${b}) : m.t = 5, BagCardinality(${b})>>`, "<<TRUE, FALSE, 3>>");
});

test("a receive from a bag as an action: the message taken is found whether or not the receiver's variable changed", () => {
  const recv = parseModule("---- MODULE r ----\nR == \\E msg \\in BagToSet(x) : x' = x (-) SetToBag({msg}) /\\ y' = msg\n====", "r.tla").defs.get("R")!.get().body;
  const net = parseTlaValue("([t |-> 1] :> 1 @@ [t |-> 2] :> 1 @@ [t |-> 3] :> 2)");
  const holds = (y: string, x2: string, y2: string) => ev.holds(recv, { state: { x: net, y: parseTlaValue(y) }, next: { x: parseTlaValue(x2), y: parseTlaValue(y2) }, memo: new Map() });
  // y changes to the message taken; then a duplicate of the message y already holds (y unchanged).
  expect(holds("[t |-> 0]", "([t |-> 1] :> 1 @@ [t |-> 3] :> 2)", "[t |-> 2]")).toBe(true);
  expect(holds("[t |-> 3]", "([t |-> 1] :> 1 @@ [t |-> 2] :> 1 @@ [t |-> 3] :> 1)", "[t |-> 3]")).toBe(true);
  // Mutants: the message removed is not the one received; a message not in the bag is received.
  expect(holds("[t |-> 0]", "([t |-> 1] :> 1 @@ [t |-> 3] :> 2)", "[t |-> 1]")).toBe(false);
  expect(holds("[t |-> 3]", "([t |-> 1] :> 1 @@ [t |-> 2] :> 1 @@ [t |-> 3] :> 2)", "[t |-> 3]")).toBe(false);
  expect(holds("[t |-> 0]", "([t |-> 1] :> 1 @@ [t |-> 2] :> 1 @@ [t |-> 3] :> 2)", "[t |-> 4]")).toBe(false);
});
