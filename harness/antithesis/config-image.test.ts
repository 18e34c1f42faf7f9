import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, test } from "vitest";
import dqueue from "../../systems/dqueue/system.ts";
import raftkvs from "../../systems/raftkvs/system.ts";
import { ConfigImageError, composeServices, pinCompose } from "./config-image.ts";

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const repo = "us-central1-docker.pkg.dev/molten-verve-216720/acme-repository";

describe("pinCompose", () => {
  test("raftkvs: every service image becomes its digest reference; the rest of the file is unchanged", () => {
    const text = readFileSync(raftkvs.compose, "utf8");
    const refs = { "raftkvs-server:antithesis": `${repo}/raftkvs-server@${digest("a")}`, "raftkvs-client:antithesis": `${repo}/raftkvs-client@${digest("b")}` };
    const pinned = pinCompose(text, refs);
    const services = composeServices(pinned);
    expect(Object.keys(services)).toEqual(["server1", "server2", "server3", "client1", "client2", "client3"]);
    for (const [name, image] of Object.entries(services)) expect(image).toBe(name.startsWith("server") ? refs["raftkvs-server:antithesis"] : refs["raftkvs-client:antithesis"]);
    // Apart from the images, the same document (commands, environment, volumes), and its comments kept.
    const strip = (doc: { services: Record<string, { image?: string }> }) => {
      for (const s of Object.values(doc.services)) delete s.image;
      return doc;
    };
    expect(strip(parse(pinned))).toEqual(strip(parse(text)));
    expect(pinned).toContain("# Written out without YAML anchors");
    expect(pinned).not.toContain(":antithesis");
  });

  test("an image set through a YAML anchor is pinned at the anchor", () => {
    const text = ["x-srv: &srv", "  image: app:1", "  command: [run]", "services:", "  a:", "    <<: *srv", "  b:", "    <<: *srv", "    hostname: b", ""].join("\n");
    const pinned = pinCompose(text, { "app:1": `r.example/app@${digest("c")}` });
    expect(composeServices(pinned)).toEqual({ a: `r.example/app@${digest("c")}`, b: `r.example/app@${digest("c")}` });
    expect(pinned).toContain("<<: *srv");
  });

  test("refuses an unmapped image, a service without image, and a mapping that is not a digest", () => {
    const text = readFileSync(dqueue.compose, "utf8");
    expect(() => pinCompose(text, {}, "dqueue/docker-compose.yaml")).toThrow(
      new ConfigImageError('dqueue/docker-compose.yaml: service "dqueue" uses image "dqueue:antithesis", which was not pushed (no digest for it)'),
    );
    expect(() => pinCompose(text, { "dqueue:antithesis": `${repo}/dqueue:latest` })).toThrow(/"dqueue:antithesis" is mapped to ".*dqueue:latest", which is not a digest reference/);
    expect(() => pinCompose("services:\n  web:\n    build: .\n", {})).toThrow(/service "web" has no image \(Antithesis builds nothing/);
    expect(() => pinCompose("services: {}\n", {})).toThrow(/defines no services/);
    // An image already given by digest (a third-party one) needs no mapping.
    const third = `services:\n  db:\n    image: docker.io/library/redis@${digest("d")}\n`;
    expect(composeServices(pinCompose(third, {}))).toEqual({ db: `docker.io/library/redis@${digest("d")}` });
  });
});
