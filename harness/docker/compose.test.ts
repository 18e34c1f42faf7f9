// compose's progress lines are dropped from an up error, and the service that never finished starting is named.
import { expect, test } from "vitest";
import { composeErrorMessage } from "./compose.ts";

test("names the service that began starting and never finished, and keeps the daemon's error", () => {
  const stderr = [
    " Network pgoh-x-1a_default  Creating",
    " Network pgoh-x-1a_default  Created",
    " Container pgoh-x-1a-broken-1  Creating",
    " Container pgoh-x-1a-ok-1  Creating",
    " Container pgoh-x-1a-ok-1  Created",
    " Container pgoh-x-1a-broken-1  Created",
    " Container pgoh-x-1a-broken-1  Starting",
    " Container pgoh-x-1a-ok-1  Starting",
    " Container pgoh-x-1a-ok-1  Started",
    'Error response from daemon: failed to create task for container: exec: "/nope": stat /nope: no such file or directory: unknown',
  ].join("\n");
  expect(composeErrorMessage("pgoh-x-1a", stderr)).toBe(
    'service "broken": Error response from daemon: failed to create task for container: exec: "/nope": stat /nope: no such file or directory: unknown',
  );
});
