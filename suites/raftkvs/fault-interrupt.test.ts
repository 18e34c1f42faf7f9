// Ctrl-C or SIGTERM while a fault is in effect (a server paused, or cut off by a sidecar's iptables rules)
// leaves nothing behind: the child run's containers, sidecars, networks and volumes are all gone.
// In the child (FAULT_INTERRUPT_RUN=1) this file is a long faulted run whose faults last a minute.
import { join } from "node:path";
import { execa } from "execa";
import { expect, test } from "vitest";
import { listProject, type Leftovers } from "../../harness/docker/project.ts";
import { SIDECAR_LABEL } from "../../harness/faults/sidecar.ts";
import { partition, pause } from "../../harness/faults/kinds.ts";
import { dockerClient } from "../../harness/docker/client.ts";
import { projectRoot } from "../../harness/paths.ts";
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import { forCheckout, loadSettings } from "../../harness/index.ts";
import raftkvs, { serverNemesis } from "../../systems/raftkvs/system.ts";

const FAULT_IN_EFFECT = /\/fault\/interrupted\] \+\d+ ms (pause|partition): /;

if (process.env["FAULT_INTERRUPT_RUN"] === "1") {
  describeSystem(raftkvs, {
    title: "raftkvs interrupted during a fault",
    env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "1000000", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3" },
    faults: [serverNemesis("interrupted", [pause({ select: ["one", "minority"] }), partition({ shapes: ["one", "random-halves"] })], { quietMs: [50, 100], faultMs: [60_000, 60_000] })],
  });
} else {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`a run interrupted with ${signal} while a fault is in effect leaves no container, sidecar, network or volume`, async ({ skip }) => {
      // The system as this run builds it: under PGO_DIR, PGo's raftkvs prints no leader line for the nemesis.
      if (process.env["ANTITHESIS"] === "1" || forCheckout(raftkvs, loadSettings(process.env).pgoDir).ready === undefined) return skip("a local run of this repository's raftkvs");
      const docker = dockerClient();
      const child = execa(process.execPath, [join(projectRoot, "node_modules/vitest/vitest.mjs"), "run", "--project", "raftkvs", "suites/raftkvs/fault-interrupt.test.ts"], {
        cwd: projectRoot,
        env: { ...process.env, ANTITHESIS: "0", FAULT_INTERRUPT_RUN: "1", FORCE_COLOR: "0" },
        all: true,
        reject: false,
        timeout: 10 * 60_000,
      });
      let output = "";
      let sidecarsAtSignal = -1;
      let signalled: Promise<void> | undefined;
      child.all?.on("data", (d: Buffer) => {
        output += d.toString();
        const project = /Starting compose project (pgoh-[a-z0-9_-]+)/.exec(output)?.[1];
        if (signalled === undefined && project !== undefined && FAULT_IN_EFFECT.test(output)) {
          signalled = (async () => {
            sidecarsAtSignal = (await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`, SIDECAR_LABEL] } })).length;
            child.kill(signal);
          })();
        }
      });
      const result = await child;
      await signalled;
      expect(signalled, `the child never reported a fault in effect:\n${output.slice(-3000)}`).toBeDefined();
      expect(sidecarsAtSignal, "sidecars were running when the signal was sent").toBeGreaterThan(0);
      expect(result.exitCode === 0 && result.signal === undefined, "the interrupted run must not report success").toBe(false);
      const project = /Starting compose project (pgoh-[a-z0-9_-]+)/.exec(output)![1]!;
      let left: Leftovers = await listProject(project, docker);
      for (let i = 0; i < 60 && left.containers.length + left.networks.length + left.volumes.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 500));
        left = await listProject(project, docker);
      }
      expect(left, `left by ${project}`).toEqual({ containers: [], networks: [], volumes: [] });
    });
  }
}
