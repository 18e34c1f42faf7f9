import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { fileDir, testDirSync } from "./testing/temp.ts";
import { defineSystem as define, forCheckout, type SystemInput } from "./system.ts";

// A project root of its own, so the test does not depend on the systems in this repository.
const root = fileDir("system-");
for (const [path, text] of Object.entries({
  "systems/tracing/go.mod": "module pgoharness.local/tracing\n",
  "antithesis/dqueue/docker-compose.yaml": "services: {}\n",
  "antithesis/dqueue/Dockerfile.test": "FROM scratch\n",
  "systems/dqueue/dqueue.tla": "---- MODULE dqueue ----\n====\n",
})) {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), text);
}
const defineSystem = (input: SystemInput) => define(input, root);

const valid: SystemInput = {
  name: "dqueue",
  modules: [{ name: "tracing", dir: "systems/tracing" }],
  binaries: [{ name: "ready", package: "./tracing/cmd/ready" }],
  assets: "antithesis/dqueue",
  images: [{ name: "test", dockerfile: "Dockerfile.test", ref: "dqueue:antithesis" }],
  template: "dqueue",
  tracesVolume: "traces",
  checks: () => [],
};

describe("defineSystem", () => {
  test("resolves paths against the project root", () => {
    const s = defineSystem(valid);
    expect(s.assets).toBe(join(root, "antithesis/dqueue"));
    expect(s.compose).toMatch(/\/antithesis\/dqueue\/docker-compose\.yaml$/);
    expect(s.images[0]?.config).toBe(false);
    expect(s.binaries[0]?.kind).toBe("build");
  });
  test("the system's own spec: optional, resolved, must be an existing .tla file", () => {
    expect(defineSystem(valid).spec).toBeUndefined();
    expect(defineSystem({ ...valid, spec: "systems/dqueue/dqueue.tla" }).spec).toBe(join(root, "systems/dqueue/dqueue.tla"));
    expect(() => defineSystem({ ...valid, spec: "systems/dqueue/nope.tla" })).toThrow(/system "dqueue": spec ".*nope\.tla" does not exist or is not a file/);
    expect(() => defineSystem({ ...valid, spec: "systems/dqueue" })).toThrow(/system "dqueue": spec must be a TLA\+ file/);
  });
  test("refuses bad input with the system's name and the field", () => {
    expect(() => defineSystem({ ...valid, assets: "antithesis/nope" })).toThrow(/system "dqueue": assets ".*antithesis\/nope" does not exist/);
    expect(() => defineSystem({ ...valid, modules: [] })).toThrow(/system "dqueue": modules must list at least one Go module/);
    expect(() => defineSystem({ ...valid, binaries: [{ name: "x", package: "dqueue" }] })).toThrow(/binaries\.0\.package must be a package path relative/);
    expect(() => defineSystem({ ...valid, images: [{ name: "test", dockerfile: "Dockerfile.nope", ref: "d:a" }] })).toThrow(/Dockerfile.nope/);
    expect(() => defineSystem({ ...valid, binaries: [valid.binaries[0]!, valid.binaries[0]!] })).toThrow(/binary "ready" is listed twice/);
    expect(() => defineSystem({ ...valid, name: "Bad Name" })).toThrow(/name must be lower-case/);
  });

  test("a PGo checkout's modules replace ours of the same name and join the rest", () => {
    const checkout = testDirSync("pgo-");
    for (const dir of ["distsys", "systems/dqueue"]) {
      mkdirSync(join(checkout, dir), { recursive: true });
      writeFileSync(join(checkout, dir, "go.mod"), `module example/${dir}\n`);
    }
    const pgoModules = [{ name: "tracing", dir: "distsys" }, { name: "dqueue", dir: "systems/dqueue" }];
    const s = defineSystem({ ...valid, pgo: { modules: pgoModules } });
    expect(forCheckout(s, undefined)).toBe(s);
    const pgo = forCheckout(s, checkout);
    expect(pgo.modules.map((m) => [m.name, m.dir])).toEqual([
      ["tracing", join(checkout, "distsys")],
      ["dqueue", join(checkout, "systems/dqueue")],
    ]);
    expect(pgo.checkout).toBe(checkout);
    // Our readiness line is a property of our binaries: it is dropped unless the pgo section names PGo's own.
    const ready = { services: /^server\d+$/, logMessage: /became leader/ };
    expect(forCheckout(defineSystem({ ...valid, ready, pgo: { modules: pgoModules } }), checkout).ready).toBeUndefined();
    const theirs = { services: /^server\d+$/, logMessage: /Monitor: started/ };
    expect(forCheckout(defineSystem({ ...valid, ready, pgo: { modules: pgoModules, ready: theirs } }), checkout).ready?.logMessage).toBe(theirs.logMessage);
    expect(() => forCheckout(defineSystem(valid), checkout)).toThrow(/has no `pgo` modules/);
    expect(() => forCheckout(s, join(checkout, "nope"))).toThrow(/PGO_DIR ".*nope" is not a directory/);
    const empty = testDirSync("pgo-");
    expect(() => forCheckout(s, empty)).toThrow(/no module at .*distsys \(no go.mod\) — is it a checkout/);
  });
});
