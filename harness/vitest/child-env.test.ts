// Child runs get a clean, explicit environment: under `ANTITHESIS=1 npx vitest run` the outer run's ANTITHESIS_*
// settings (registry, credentials, API) must not reach a child that runs its own stand-ins (issue 20, row 6).
import { expect, test } from "vitest";
import { childEnv } from "./child-run.ts";

test("drops every ANTITHESIS* variable and the outer run's output directories, then sets the child's own", () => {
  const outer = {
    PATH: "/usr/bin",
    ANTITHESIS: "1",
    ANTITHESIS_USERNAME: "outer-user",
    ANTITHESIS_PASSWORD: "outer-password",
    ANTITHESIS_BASE_URL: "http://outer.example",
    ANTITHESIS_REPOSITORY: "outer.example/repo",
    PGO_HARNESS_RUNS_DIR: "/outer/runs",
    PGO_HARNESS_REPORTS_DIR: "/outer/reports",
    RAFTKVS_OPS: "50",
  };
  expect(childEnv({}, outer)).toEqual({ PATH: "/usr/bin", RAFTKVS_OPS: "50", ANTITHESIS: "0" });
  expect(childEnv({ ANTITHESIS: "1", ANTITHESIS_BASE_URL: "http://127.0.0.1:1234" }, outer)).toEqual({
    PATH: "/usr/bin",
    RAFTKVS_OPS: "50",
    ANTITHESIS: "1",
    ANTITHESIS_BASE_URL: "http://127.0.0.1:1234",
  });
});
