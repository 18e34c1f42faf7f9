// Workload variables are checked when the context is resolved — before build and up — and named in one line.
import { describe, expect, test } from "vitest";
import dqueue from "../../systems/dqueue/system.ts";
import raftkvs from "../../systems/raftkvs/system.ts";
import { resolveContext } from "./context.ts";

const quiet = { write: () => undefined };

describe("workload variables", () => {
  test.each([
    [raftkvs, { RAFTKVS_OPS: "-5" }, 'RAFTKVS_OPS must be an integer from 1 to 1000000000 (got "-5")'],
    [raftkvs, { RAFTKVS_OPS: "abc" }, 'RAFTKVS_OPS must be an integer from 1 to 1000000000 (got "abc")'],
    [raftkvs, { RAFTKVS_OPS: "2.5" }, 'RAFTKVS_OPS must be an integer from 1 to 1000000000 (got "2.5")'],
    [raftkvs, { RAFTKVS_CLIENTS: "9" }, 'RAFTKVS_CLIENTS must be an integer from 1 to 3 (got "9")'],
    [dqueue, { DQUEUE_ITEMS: "abc" }, 'DQUEUE_ITEMS must be an integer from 1 to 100000000 (got "abc")'],
    [dqueue, { DQUEUE_PLANT: "never" }, 'DQUEUE_PLANT must be one of always, sometimes (got "never")'],
  ])("%#: %o is refused by name", (system, env, message) => {
    expect(() => resolveContext(system, { ...env }, quiet)).toThrow(message);
  });

  test("good values and unset ones pass, and reach the commands", () => {
    expect(resolveContext(raftkvs, { RAFTKVS_OPS: "200", RAFTKVS_CLIENTS: "3" }, quiet).workloadEnv).toEqual({ RAFTKVS_OPS: "200", RAFTKVS_CLIENTS: "3" });
    expect(resolveContext(dqueue, { DQUEUE_ITEMS: "" }, quiet).workloadEnv).toEqual({});
  });
});
