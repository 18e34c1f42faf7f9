// Prints, as JSON, every module that importing argv[2] loads (its resolved URLs): for tests that hold an entry
// point's import graph light (harness/light-imports.test.ts). Run in a fresh Node process, so that nothing was
// loaded before.
import { registerHooks } from "node:module";
import { pathToFileURL } from "node:url";

const loaded = new Set<string>();
registerHooks({
  resolve(specifier, context, next) {
    const r = next(specifier, context);
    loaded.add(r.url);
    return r;
  },
});
await import(pathToFileURL(process.argv[2]!).href);
process.stdout.write(JSON.stringify([...loaded]));
