/**
 * Scenario folders (test/scenarios/<area>-<behaviour>/): README.md says what the scenario shows,
 * inventory.json lists the objects applied first, commands.json the steps, and log.expect the event
 * log and reports they must produce, compared as text. Every scenario starts from a fresh runtime
 * with seed 42 at simulated time 0, so a run is reproducible event for event.
 *
 * Goldens are written only when asked: `UPDATE_GOLDENS=1 npx vitest run test/scenarios.test.ts`
 * (never in CI, where a missing or different golden fails).
 *
 * Steps: {"advance": "10m"} | {"apply": object, "refused"?: true} | {"delete": {kind, name}} |
 * {"drs": cluster, "now"?: true, "apply"?: true} | {"failVm": name, "mode"?: "heartbeat" | "crash"} |
 * {"failHost": name, "mode"?: "crash" | "isolation"} |
 * {"status": true} | {"note": text}
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderDrs } from "../cli/commands/drs";
import { inventory, renderStatus } from "../cli/commands/status";
import { formatSeconds, parseDuration } from "../cli/format";
import {
  type ClusterObject,
  type Kind,
  type ObjectInput,
  type Runtime,
  type RuntimeEvent,
  isPolyvisorError,
  openRuntime,
} from "../runtime";

const ROOT = join(__dirname, "scenarios");
const SEED = 42;

type Step =
  | { advance: string }
  | { apply: ObjectInput; refused?: boolean }
  | { delete: { kind: Kind; name: string } }
  | { drs: string; now?: boolean; apply?: boolean }
  | { failVm: string; mode?: "heartbeat" | "crash" }
  | { failHost: string; mode?: "crash" | "isolation" }
  | { status: true }
  | { note: string };

function eventLines(events: RuntimeEvent[]): string[] {
  return events.map((e) => `[${formatSeconds(e.timeSeconds)}] ${e.kind} ${e.name} ${e.reason}: ${e.message}`);
}

function title(step: Step): string {
  if ("drs" in step) return `drs ${step.drs}${step.apply ? " --apply" : step.now ? " --now" : ""}`;
  if ("advance" in step) return `advance ${step.advance}`;
  if ("apply" in step) return `apply ${step.apply.kind} ${step.apply.name}${step.refused ? " (expected to be refused)" : ""}`;
  if ("delete" in step) return `delete ${step.delete.kind} ${step.delete.name}`;
  if ("failVm" in step) return `vm fail ${step.failVm}${step.mode ? ` --mode ${step.mode}` : ""}`;
  if ("failHost" in step) return `host fail ${step.failHost}${step.mode ? ` --mode ${step.mode}` : ""}`;
  if ("status" in step) return "status";
  return `note: ${step.note}`;
}

async function perform(rt: Runtime, step: Step): Promise<string[]> {
  // "drs" first: its steps may carry "apply" as an option.
  if ("drs" in step) {
    const c = step.now || step.apply ? await rt.runDrs(step.drs, { apply: step.apply }) : await rt.get("Cluster", step.drs);
    return renderDrs(c as ClusterObject).split("\n");
  }
  if ("advance" in step) {
    await rt.advance(parseDuration(step.advance));
    return [];
  }
  if ("apply" in step) {
    try {
      await rt.apply(step.apply);
      if (step.refused) throw new Error(`${step.apply.kind} ${step.apply.name} was expected to be refused but was applied`);
      return [];
    } catch (e) {
      if (!step.refused || !isPolyvisorError(e)) throw e;
      return [`refused: ${e.message}`];
    }
  }
  if ("delete" in step) {
    await rt.delete(step.delete.kind, step.delete.name);
    return [];
  }
  if ("failVm" in step) {
    await rt.failVm(step.failVm, { mode: step.mode });
    return [];
  }
  if ("failHost" in step) {
    await rt.failHost(step.failHost, { mode: step.mode });
    return [];
  }
  if ("status" in step) return renderStatus(await inventory(rt)).split("\n");
  return [];
}

/** The whole log of a scenario: each step's title, what it printed and the events it caused. */
async function runScenario(dir: string): Promise<string> {
  const objects = JSON.parse(readFileSync(join(dir, "inventory.json"), "utf8")) as ObjectInput[];
  const steps = JSON.parse(readFileSync(join(dir, "commands.json"), "utf8")) as Step[];
  const rt = await openRuntime({ path: ":memory:", seed: SEED });
  const log: string[] = [];
  let seq = 0;
  const drain = async () => {
    const events = await rt.events({ sinceSeq: seq });
    seq = events.at(-1)?.seq ?? seq;
    return eventLines(events);
  };
  try {
    log.push("## inventory");
    for (const obj of objects) await rt.apply(obj);
    log.push(...(await drain()));
    for (const step of steps) {
      log.push("", `## ${title(step)}`);
      const printed = await perform(rt, step);
      log.push(...(await drain()), ...printed);
    }
  } finally {
    await rt.close();
  }
  return `${log.join("\n")}\n`;
}

const scenarios = readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

describe("scenarios", () => {
  it("exist, each with its README", () => {
    expect(scenarios.length).toBeGreaterThan(0);
    for (const s of scenarios) expect(existsSync(join(ROOT, s, "README.md")), `${s}/README.md`).toBe(true);
  });

  it.each(scenarios)("%s", async (name) => {
    const dir = join(ROOT, name);
    const log = await runScenario(dir);
    const golden = join(dir, "log.expect");
    if (process.env.UPDATE_GOLDENS === "1" && !process.env.CI) writeFileSync(golden, log);
    expect(existsSync(golden), `${name}/log.expect is missing: run UPDATE_GOLDENS=1 npx vitest run test/scenarios.test.ts`).toBe(true);
    expect(log).toBe(readFileSync(golden, "utf8"));
  });
});
