// An Antithesis build of dqueue: two modules of one workspace instrumented (the seed's build panics at start-up
// with two), cgo on. The test binary must start and pass, the symbols must be collected, and a second build
// must come from the cache.
import { readdir } from "node:fs/promises";
import { execa } from "execa";
import { expect, test } from "vitest";
import dqueue from "../../systems/dqueue/system.ts";
import { logger } from "../log.ts";
import { loadSettings } from "../settings.ts";
import { build } from "./index.ts";

test("dqueue built with support and dqueue instrumented starts, passes its test, and ships its symbols", { timeout: 900_000 }, async () => {
  const { cacheDir } = loadSettings(process.env);
  const log = logger("instrumented-build-test");
  const opts = { instrument: ["support", "dqueue"], cgo: true };
  const first = await build(dqueue, cacheDir, log, opts);
  expect(first.symbolsDir).toBeDefined();
  const symbols = (await readdir(first.symbolsDir!)).filter((f) => f.endsWith(".sym.tsv"));
  expect(symbols, "one symbol table per instrumented module").toHaveLength(2);

  const port = String(20_000 + Math.floor(Math.random() * 20_000));
  const run = await execa(first.binaries["dqueue.test"]!, ["-test.run", "^TestProducerConsumer$", "-test.v"], {
    env: { DQUEUE_ITEMS: "50", DQUEUE_PORT: port },
    all: true,
    reject: false,
  });
  expect(run.exitCode, run.all).toBe(0);
  expect(run.all).toContain("dqueue: consumed all 50 produced items, in order");
  expect(run.all).not.toContain("InitializeModule() has already been called");

  const second = await build(dqueue, cacheDir, log, opts);
  expect(second.cached).toBe(true);
  expect(second.hash).toBe(first.hash);
  const plain = await build(dqueue, cacheDir, log);
  expect(plain.hash, "an instrumented build is cached apart from a plain one").not.toBe(first.hash);
});
