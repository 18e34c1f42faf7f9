// dockerode's session code (gRPC) is not loaded with dockerode, and its first call still reaches the real code.
import { createRequire } from "node:module";
import { expect, test } from "vitest";
import { dockerClient } from "./client.ts";

const require = createRequire(import.meta.url);
const grpcLoaded = () => Object.keys(require.cache).some((k) => k.includes("/@grpc/grpc-js/"));

test("dockerode starts without gRPC; a session call loads the real session code and runs it", async () => {
  expect(typeof dockerClient().ping).toBe("function");
  const path = require.resolve("dockerode/lib/session.js");
  expect(grpcLoaded()).toBe(false);
  const withSession = require(path) as (docker: unknown, auth: unknown, handler: (err: Error | null) => void) => void;
  // The real code dials the engine first; a dial that fails must come back to the handler as the real code does.
  const err = await new Promise<Error | null>((resolve) => {
    withSession({ modem: { dial: (_opts: unknown, cb: (e: Error) => void) => cb(new Error("no engine here")) } }, undefined, resolve);
  });
  expect(err?.message).toBe("no engine here");
  expect(grpcLoaded()).toBe(true);
  expect((require.cache[path]?.exports as { name?: string }).name).toBe("withSession");
  expect(require.cache[path]?.exports).not.toBe(withSession);
});
