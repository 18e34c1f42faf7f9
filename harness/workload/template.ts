// The test-composer template: the commands a system ships in /opt/antithesis/test/v1/<template>/, found in the
// running containers, checked for the layout Antithesis requires, and put in a legal order.
import type { StartedCluster } from "../compose/cluster.ts";

export const TEMPLATE_ROOT = "/opt/antithesis/test/v1";

/** In the order Antithesis runs them (drivers of all three kinds form one phase). */
export const PREFIXES = ["first_", "parallel_driver_", "singleton_driver_", "serial_driver_", "anytime_", "eventually_", "finally_"] as const;
export type Prefix = (typeof PREFIXES)[number];
const PHASE: Record<Prefix, number> = {
  first_: 0,
  parallel_driver_: 1,
  singleton_driver_: 1,
  serial_driver_: 1,
  anytime_: 2,
  eventually_: 3,
  finally_: 4,
};

export interface TemplateCommand {
  readonly service: string;
  readonly path: string;
  readonly name: string;
  readonly prefix: Prefix;
}

export class TemplateError extends Error {
  override name = "TemplateError";
}

export function classify(name: string): Prefix | undefined {
  return PREFIXES.find((p) => name.startsWith(p));
}

/** Parses the `x <path>` / `- <path>` listing produced by LIST_SCRIPT, validating names and executable bits. */
export function parseListing(service: string, template: string, listing: string): TemplateCommand[] {
  const commands: TemplateCommand[] = [];
  for (const line of listing.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const mode = line.slice(0, 1);
    const path = line.slice(2);
    const name = path.slice(path.lastIndexOf("/") + 1);
    const prefix = classify(name);
    if (prefix === undefined) {
      throw new TemplateError(`${service}:${path}: "${name}" does not start with one of ${PREFIXES.join(", ")}; test composer would ignore it`);
    }
    if (mode !== "x") throw new TemplateError(`${service}:${path} is not executable; test composer could not run it (chmod +x in the Dockerfile)`);
    commands.push({ service, path, name, prefix });
  }
  return commands;
}

const LIST_SCRIPT = (dir: string) =>
  `[ -d '${dir}' ] || exit 0; for f in '${dir}'/*; do [ -f "$f" ] || continue; if [ -x "$f" ]; then echo "x $f"; else echo "- $f"; fi; done`;

/** Finds the template's commands in every running container. Each command runs once, in the first service (by name) that has it. */
export async function discoverTemplate(cluster: StartedCluster, template: string): Promise<TemplateCommand[]> {
  const dir = `${TEMPLATE_ROOT}/${template}`;
  const found = new Map<string, TemplateCommand>();
  for (const c of await cluster.containers()) {
    if (c.state !== "running") continue;
    const lines: string[] = [];
    const result = await cluster.exec(c.service, ["sh", "-c", LIST_SCRIPT(dir)], { onLine: (l) => lines.push(l) });
    if (result.exitCode !== 0) throw new TemplateError(`could not list ${dir} in service "${c.service}": ${result.tail}`);
    for (const cmd of parseListing(c.service, template, lines.join("\n"))) if (!found.has(cmd.name)) found.set(cmd.name, cmd);
  }
  const commands = orderCommands([...found.values()]);
  if (!commands.some((c) => PHASE[c.prefix] === 1)) {
    throw new TemplateError(`template "${template}" has no driver command (parallel_driver_, singleton_driver_ or serial_driver_) in any running container under ${dir}`);
  }
  return commands;
}

/** A legal sequential order: first_ → drivers → anytime_ → eventually_ → finally_, by name within a phase. */
export function orderCommands(commands: readonly TemplateCommand[]): TemplateCommand[] {
  return [...commands].sort((a, b) => PHASE[a.prefix] - PHASE[b.prefix] || a.name.localeCompare(b.name));
}
