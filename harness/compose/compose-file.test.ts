import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { parse } from "yaml";
import { readComposeFile, renderOverride, RUN_LABEL, SDK_VOLUME } from "./compose-file.ts";

async function file(text: string): Promise<string> {
  const path = join(await testDir("compose-"), "docker-compose.yaml");
  await writeFile(path, text);
  return path;
}

// The shape of the seed's raftkvs file: YAML anchors and merge keys.
const SEED_STYLE = `
services:
  server1: &srv
    image: raftkvs-server:antithesis
    volumes: [logs-volume:/traces]
    command: server -srvId 1
  server2:
    <<: *srv
    command: server -srvId 2
  client1:
    <<: *srv
    image: raftkvs-client:antithesis
volumes:
  logs-volume:
`;

describe("compose file", () => {
  test("reads services through YAML merge keys, with their images and the named volumes", async () => {
    const model = await readComposeFile(await file(SEED_STYLE));
    expect(model.services).toEqual({
      server1: { image: "raftkvs-server:antithesis" },
      server2: { image: "raftkvs-server:antithesis" },
      client1: { image: "raftkvs-client:antithesis" },
    });
    expect(model.volumes).toEqual(["logs-volume"]);
    expect(model.networks).toEqual([]);
  });

  test("refuses a file without services, and invalid YAML, naming the file", async () => {
    const empty = await file("services: {}\n");
    await expect(readComposeFile(empty)).rejects.toThrow(`${empty}: defines no services`);
    const broken = await file("services: [\n");
    await expect(readComposeFile(broken)).rejects.toThrow(/not valid YAML/);
    const noServices = await file("volumes: {}\n");
    await expect(readComposeFile(noServices)).rejects.toThrow(/services/);
  });

  test("the override maps built images, adds the SDK output and labels every service", async () => {
    const model = await readComposeFile(await file(SEED_STYLE));
    const override = parse(
      renderOverride({ model, images: { "raftkvs-server:antithesis": "pgo-harness/raftkvs-server:abc" }, runId: "r1", system: "raftkvs" }),
    ) as { services: Record<string, { image?: string; environment: Record<string, string>; labels: Record<string, string>; volumes: string[] }>; volumes: Record<string, unknown> };
    expect(override.services["server1"]?.image).toBe("pgo-harness/raftkvs-server:abc");
    expect(override.services["server2"]?.image).toBe("pgo-harness/raftkvs-server:abc");
    // Not a system image: left as the file has it.
    expect(override.services["client1"]?.image).toBeUndefined();
    for (const svc of Object.values(override.services)) {
      expect(svc.labels[RUN_LABEL]).toBe("r1");
      expect(svc.volumes).toContain(`${SDK_VOLUME}:/tmp/antithesis`);
      expect(svc.environment["ANTITHESIS_OUTPUT_DIR"]).toBe("/tmp/antithesis");
    }
    // One file per process: the service's own process here, each test-composer command its own (workload/run.ts).
    expect(override.services["client1"]?.environment["ANTITHESIS_SDK_LOCAL_OUTPUT"]).toBe("/tmp/antithesis/sdk-client1@main.jsonl");
    expect(Object.keys(override.volumes)).toEqual([SDK_VOLUME]);
  });

  test("pre-flight: every network, the default one and the file's own, is made internal; a normal run leaves them", async () => {
    const model = await readComposeFile(await file(`${SEED_STYLE}networks:\n  raft: {}\n`));
    expect(model.networks).toEqual(["raft"]);
    const internal = parse(renderOverride({ model, images: {}, runId: "r1", system: "raftkvs", internalNetworks: true })) as { networks?: Record<string, { internal: boolean }> };
    expect(internal.networks).toEqual({ default: { internal: true }, raft: { internal: true } });
    const normal = parse(renderOverride({ model, images: {}, runId: "r1", system: "raftkvs" })) as { networks?: unknown };
    expect(normal.networks).toBeUndefined();
  });

  test("serviceEnv adds environment to the named services only; an unknown service is named", async () => {
    const model = await readComposeFile(await file(SEED_STYLE));
    const doc = parse(renderOverride({ model, images: {}, runId: "r1", system: "s", serviceEnv: { server2: { BUG: "on" } } })) as {
      services: Record<string, { environment: Record<string, string> }>;
    };
    expect(doc.services["server2"]!.environment["BUG"]).toBe("on");
    expect(doc.services["server1"]!.environment["BUG"]).toBeUndefined();
    expect(doc.services["client1"]!.environment["BUG"]).toBeUndefined();
    expect(() => renderOverride({ model, images: {}, runId: "r1", system: "s", serviceEnv: { server9: { BUG: "on" } } })).toThrow(/serviceEnv names "server9", which is not a service/);
  });
});
