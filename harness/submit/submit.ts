// ANTITHESIS=1: submit one system to Antithesis, one command per intent (after snouty):
//   settings (checked before anything is built) → registry login → build → images → pre-flight → push → pin digests →
//   config image → launch → (ANTITHESIS_WAIT=1) wait → properties.
// Runs in the suite's global setup; the outcome is handed to the suite file, which reports it as tests. Every
// message that leaves here is scrubbed of the settings' secrets.
import { join } from "node:path";
import fse from "fs-extra";
import {
  getProperties,
  launch,
  loginRegistry,
  pushConfigImage,
  pushImages,
  pushTarget,
  repositoryTag,
  scrub,
  waitForRun,
  type AntithesisSettings,
} from "../antithesis/index.ts";
import type { Docker } from "../docker/client.ts";
import { logger } from "../log.ts";
import { type PropertyReport, remoteProperties } from "../properties/report.ts";
import { createRun } from "../run/artifacts.ts";
import { resolveContext } from "../run/context.ts";
import { prepareSystem } from "../run/prepare.ts";
import { rerunCommand } from "../run/rerun.ts";
import type { SystemDefinition } from "../system.ts";
import { preflight } from "./preflight.ts";

export type SubmitStage = "settings" | "login" | "build" | "preflight" | "push" | "launch" | "wait";

/** Must survive structuredClone (Vitest's provide/inject). */
export type SubmitOutcome =
  | {
      readonly system: string;
      readonly ok: true;
      readonly runId: string | undefined;
      readonly configImage: string;
      /** The config image's local tag (inspect it with docker). */
      readonly configImageLocal: string;
      readonly symbols: readonly string[];
      readonly images: readonly string[];
      readonly preflight: { readonly seconds: number; readonly commands: readonly string[] } | "skipped";
      readonly run?: { readonly status: string; readonly triageReport: string | undefined };
      readonly properties?: readonly PropertyReport[];
      readonly runDir: string;
    }
  | { readonly system: string; readonly ok: false; readonly stage: SubmitStage; readonly error: string; readonly runDir: string | undefined };

export async function submitSystem(definition: SystemDefinition, env: NodeJS.ProcessEnv): Promise<SubmitOutcome> {
  let log = logger(`${definition.name}/antithesis`);
  let stage: SubmitStage = "settings";
  let secrets: AntithesisSettings["secrets"] = [];
  let runDir: string | undefined;
  try {
    // Before anything is built: a missing or contradictory setting stops here, naming the variable.
    const ctx = resolveContext(definition, env, { namespace: `${definition.name}/antithesis`, antithesis: true });
    const { settings, system, docker } = ctx;
    const antithesis = ctx.antithesis!;
    secrets = antithesis.secrets;
    log = ctx.log;
    const rerun = rerunCommand(system, env, undefined, ["npx", "vitest", "run", `suites/${system.name}`]);
    const run = await createRun({
      runsDir: settings.runsDir,
      system: system.name,
      rerun: `ANTITHESIS=1 ${rerun}`,
      info: { mode: "antithesis", repository: antithesis.repository, baseUrl: antithesis.baseUrl, launcher: antithesis.launcher, checkout: system.checkout },
    });
    runDir = run.dir;

    // The registry checks the credentials now, so that a wrong password costs no build.
    stage = "login";
    const login = await loginRegistry(docker, antithesis, log);

    stage = "build";
    const prepared = await prepareSystem(ctx);
    const images = prepared.images.filter((i) => !i.spec.config);

    // The references the images will have in the repository; the pre-flight runs exactly these.
    const repositoryRefs: Record<string, string> = {};
    for (const img of images) repositoryRefs[img.spec.ref] = repositoryTag(antithesis, pushTarget(img.spec.ref, img.tag));

    stage = "preflight";
    let pre: Extract<SubmitOutcome, { ok: true }>["preflight"] = "skipped";
    if (antithesis.preflight) {
      await tagAll(docker, images.map((i) => [i.tag, repositoryRefs[i.spec.ref]!] as const));
      const started = performance.now();
      const report = await log.step("Pre-flight: running what Antithesis will run (final references, internal networks)", () =>
        preflight(ctx, { prepared, finalRefs: repositoryRefs, run, env, rerun: `ANTITHESIS=1 ${rerun}` }),
      );
      pre = { seconds: (performance.now() - started) / 1000, commands: [...new Set(report.commands.map((c) => c.command.name))] };
    } else {
      log.info("ANTITHESIS_PREFLIGHT=0: pre-flight skipped");
    }

    stage = "push";
    const digestRefs = await log
      .step(`Pushing ${images.length} image(s) to ${antithesis.repository}`, () =>
        pushImages(docker, antithesis, login, images.map((i) => ({ composeRef: i.spec.ref, localTag: i.tag })), log),
      )
      // The repository tags were only for the pre-flight and the push; the engine keeps the built tags.
      .finally(() => untagAll(docker, antithesis.preflight ? Object.values(repositoryRefs) : []));
    await run.close();
    const config = await log.step("Building and pushing the config image (compose file pinned by digest)", () =>
      pushConfigImage({ system, digestRefs, cacheDir: settings.cacheDir, docker, log, settings: antithesis, login, symbolsDir: prepared.build.symbolsDir }),
    );
    await fse.writeFile(join(run.dir, "docker-compose.pinned.yaml"), config.pinned);

    stage = "launch";
    const imageRefs = Object.values(digestRefs);
    const launched = await log.step(`Launching ${antithesis.launcher} on ${antithesis.baseUrl}`, () =>
      launch(antithesis, { configImage: config.ref, images: imageRefs, description: `${system.name} (pgo-harness, build ${prepared.build.hash})` }, { log }),
    );
    log.info(`launched: run ${launched.runId ?? "(no run id in the response)"}`);
    let outcome: Extract<SubmitOutcome, { ok: true }> = { system: system.name, ok: true, runId: launched.runId, configImage: config.ref, configImageLocal: config.local, symbols: prepared.build.symbolsDir !== undefined ? await fse.readdir(prepared.build.symbolsDir) : [], images: imageRefs, preflight: pre, runDir: run.dir };

    if (antithesis.wait) {
      stage = "wait";
      if (launched.runId === undefined) throw new Error("ANTITHESIS_WAIT=1 but the launch response carried no run id to wait for");
      const runId = launched.runId;
      const detail = await log.step(`Waiting for run ${runId} (up to ${Math.round(antithesis.waitTimeoutMs / 60_000)} min)`, () =>
        waitForRun(antithesis, runId, { timeoutMs: antithesis.waitTimeoutMs, log, onProgress: (r) => log.info(`run ${runId}: ${r.status}`) }),
      );
      const properties = remoteProperties(detail, await getProperties(antithesis, runId, { log }));
      outcome = { ...outcome, run: { status: detail.status, triageReport: detail.links?.triage_report }, properties };
    }
    await fse.writeJson(join(run.dir, "submit.json"), outcome, { spaces: 2 });
    return outcome;
  } catch (err) {
    const message = scrub(err instanceof Error ? err.message : String(err), secrets);
    log.warn(`${stage} failed: ${message}`);
    const outcome = { system: definition.name, ok: false as const, stage, error: message, runDir };
    if (runDir !== undefined) await fse.writeJson(join(runDir, "submit.json"), outcome, { spaces: 2 }).catch(() => undefined);
    return outcome;
  }
}

async function tagAll(docker: Docker, pairs: readonly (readonly [string, string])[]): Promise<void> {
  for (const [from, to] of pairs) {
    const at = to.lastIndexOf(":");
    await docker.getImage(from).tag({ repo: to.slice(0, at), tag: to.slice(at + 1) });
  }
}

async function untagAll(docker: Docker, refs: readonly string[]): Promise<void> {
  for (const ref of refs) await docker.getImage(ref).remove({ noprune: true }).catch(() => undefined);
}

