// dockerode loads its BuildKit session code (gRPC and protobuf, ~110 modules) at start-up, for the one call that
// uses it: an image build with BuildKit sessions, which the harness never asks of dockerode itself. Called
// before dockerode loads (harness/docker/client.ts), this puts a stand-in for that file in the CommonJS
// cache that loads the real one on its first call, so a run pays for gRPC only if it ever builds that way.
// Should dockerode's layout change, nothing is replaced and dockerode loads as before.
import { createRequire, Module } from "node:module";

const require = createRequire(import.meta.url);

/** Puts the stand-in in place (once); harness/docker/client.ts calls it right before it loads dockerode. */
export function deferDockerodeSession(): void {
  try {
    const path = require.resolve("dockerode/lib/session.js");
    if (require.cache[path] === undefined) {
      const stand = new Module(path);
      stand.filename = path;
      stand.loaded = true;
      stand.exports = function withSession(this: unknown, ...args: unknown[]): unknown {
        delete require.cache[path];
        return (require(path) as (...a: unknown[]) => unknown).apply(this, args);
      };
      require.cache[path] = stand;
    }
  } catch {
    // Not found where expected: dockerode loads its session code itself.
  }
}
