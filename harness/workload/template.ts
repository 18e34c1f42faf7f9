// The test-composer template: the commands a system ships in /opt/antithesis/test/v1/<template>/, found in the
// running containers and checked for the layout Antithesis requires. Which command runs when is the
// composer's business (composer.ts); the rules are quoted from Antithesis's "Test commands" reference
// (antithesis.com/docs/test_templates/test_composer_reference) and "Creating test templates" (…/first_test).
import type { StartedCluster } from "../compose/cluster.ts";
import type { Logger } from "../log.ts";

export const TEMPLATE_ROOT = "/opt/antithesis/test/v1";

export const PREFIXES = ["first_", "parallel_driver_", "singleton_driver_", "serial_driver_", "anytime_", "eventually_", "finally_"] as const;
export type Prefix = (typeof PREFIXES)[number];
export const DRIVER_PREFIXES: readonly Prefix[] = ["parallel_driver_", "singleton_driver_", "serial_driver_"];
/** "Files and subdirectories prefixed with helper_ are ignored by Antithesis" (Creating test templates). */
export const HELPER_PREFIX = "helper_";

export interface TemplateCommand {
  /** The first service (by name) that holds the command; where it runs unless the composer places it. */
  readonly service: string;
  readonly path: string;
  readonly name: string;
  readonly prefix: Prefix;
  /** Every service holding the command: "containers sharing a template are treated as one template". */
  readonly services?: readonly string[];
}

export interface IgnoredEntry {
  readonly service: string;
  readonly path: string;
}

export class TemplateError extends Error {
  override name = "TemplateError";
}

export function classify(name: string): Prefix | undefined {
  return PREFIXES.find((p) => name.startsWith(p));
}

export const isDriver = (p: Prefix): boolean => DRIVER_PREFIXES.includes(p);

export interface Listing {
  readonly commands: TemplateCommand[];
  readonly ignored: IgnoredEntry[];
}

/**
 * Parses the `x|-|d <path>` listing produced by LIST_SCRIPT (executable file, other file, directory), validating
 * names and executable bits. helper_ files and directories are returned as ignored.
 */
export function parseTemplateListing(service: string, listing: string): Listing {
  const commands: TemplateCommand[] = [];
  const ignored: IgnoredEntry[] = [];
  for (const line of listing.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const mode = line.slice(0, 1);
    const path = line.slice(2);
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (name.startsWith(HELPER_PREFIX)) {
      ignored.push({ service, path });
      continue;
    }
    const prefix = classify(name);
    if (prefix === undefined || mode === "d") {
      const what = mode === "d" ? "directory" : "file";
      throw new TemplateError(`${service}:${path}: ${what} "${name}" does not start with one of ${PREFIXES.join(", ")} (or ${HELPER_PREFIX} for helpers, which are ignored); test composer would not run it`);
    }
    if (mode !== "x") throw new TemplateError(`${service}:${path} is not executable; test composer could not run it (chmod +x in the Dockerfile)`);
    commands.push({ service, path, name, prefix });
  }
  return { commands, ignored };
}

/** The commands of a listing (helper_ entries dropped); kept for callers of the first version. */
export function parseListing(service: string, _template: string, listing: string): TemplateCommand[] {
  return parseTemplateListing(service, listing).commands;
}

const LIST_SCRIPT = (dir: string) =>
  `[ -d '${dir}' ] || exit 0; for f in '${dir}'/*; do if [ -d "$f" ]; then echo "d $f"; elif [ ! -f "$f" ]; then continue; elif [ -x "$f" ]; then echo "x $f"; else echo "- $f"; fi; done`;

/**
 * Merges the listings of several services into one template: a command found in several services is one
 * command that may run in any of them. Refuses a template the composer could not schedule.
 */
export function mergeListings(template: string, listings: readonly Listing[]): TemplateCommand[] {
  const found = new Map<string, TemplateCommand & { services: string[] }>();
  for (const listing of listings) {
    for (const cmd of listing.commands) {
      const known = found.get(cmd.name);
      if (known === undefined) found.set(cmd.name, { ...cmd, services: [cmd.service] });
      else if (!known.services.includes(cmd.service)) known.services.push(cmd.service);
    }
  }
  const commands = orderCommands([...found.values()]);
  // "A test template must have at least one of: parallel_driver, singleton_driver, serial_driver, anytime."
  if (!commands.some((c) => isDriver(c.prefix) || c.prefix === "anytime_")) {
    throw new TemplateError(
      `template "${template}" has no driver or anytime command (parallel_driver_, singleton_driver_, serial_driver_ or anytime_) in any running container under ${TEMPLATE_ROOT}/${template}`,
    );
  }
  return commands;
}

/**
 * Finds the template's commands in every running container. helper_ files and directories are ignored, as
 * Antithesis ignores them, with a note in the log.
 */
export async function discoverTemplate(cluster: StartedCluster, template: string, log?: Logger): Promise<TemplateCommand[]> {
  const dir = `${TEMPLATE_ROOT}/${template}`;
  const listings: Listing[] = [];
  for (const c of await cluster.containers()) {
    if (c.state !== "running") continue;
    const lines: string[] = [];
    const result = await cluster.exec(c.service, ["sh", "-c", LIST_SCRIPT(dir)], { onLine: (l) => lines.push(l) });
    if (result.exitCode !== 0) throw new TemplateError(`could not list ${dir} in service "${c.service}": ${result.tail}`);
    const listing = parseTemplateListing(c.service, lines.join("\n"));
    for (const i of listing.ignored) log?.info(`ignoring ${c.service}:${i.path} (${HELPER_PREFIX} files and directories are ignored by Antithesis)`);
    listings.push(listing);
  }
  return mergeListings(template, listings);
}

const PHASE: Record<Prefix, number> = {
  first_: 0,
  parallel_driver_: 1,
  singleton_driver_: 1,
  serial_driver_: 1,
  anytime_: 2,
  eventually_: 3,
  finally_: 4,
};

/** Phase order (first_ → drivers → anytime_ → eventually_ → finally_), by name within a phase: a stable listing. */
export function orderCommands<T extends TemplateCommand>(commands: readonly T[]): T[] {
  return [...commands].sort((a, b) => PHASE[a.prefix] - PHASE[b.prefix] || a.name.localeCompare(b.name));
}
