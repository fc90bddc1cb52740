/** `polyvisor drs CLUSTER`: the last pass, a pass run now, applying recommendations, and errors. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { runCli } from "../support/cli-run";
import { busy, skewedCluster } from "../support/drs-fixtures";

let dir: string;
let state: string;

const run = (...args: string[]) => runCli(state, ...args);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "polyvisor-cli-"));
  state = join(dir, "state.db");
  const rt = await openRuntime({ path: state });
  await skewedCluster(rt, {
    clusterSpec: { drs: { automationLevel: "manual" } },
    hosts: 3,
    vms: { a: busy(9000), b: busy(9000), c: busy(9000) },
  });
  await rt.close();
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("polyvisor drs", () => {
  it("says when no pass has run, then shows a pass run now with its recommendations", async () => {
    expect(await run("drs", "prod")).toMatchObject({ code: 0, stdout: expect.stringContaining("no DRS pass has run yet") });
    const now = await run("drs", "prod", "--now");
    expect(now.code).toBe(0);
    expect(now.stdout).toMatch(/Imbalance [\d.]+ now, [\d.]+ once the recommendations are applied \(target 0\.1155\)/);
    expect(now.stdout).toMatch(
      /Recommendations \(not applied\):\nVM\s+FROM\s+TO\s+PRIORITY\s+REASON\na\s+esx1\s+esx2\s+2\s+load balancing: imbalance/,
    );
  });

  it("applies the moves with --apply and reports them as applied", async () => {
    const applied = await run("drs", "prod", "--apply");
    expect(applied.stdout).toMatch(/Imbalance before [\d.]+, after [\d.]+ \(target 0\.1155; cpu [\d.]+, memory [\d.]+\)/);
    expect(applied.stdout).toContain("Moves applied (live migrations, landing as the clock moves: polyvisor sim advance):");
    const json = await run("--json", "drs", "prod");
    expect(JSON.parse(json.stdout)).toMatchObject({
      recommendations: [],
      moves: [expect.objectContaining({ vm: "a", fromHost: "esx1" }), expect.anything()],
    });
  });

  it("exits 1 with the reason for a cluster that does not exist", async () => {
    expect(await run("drs", "nope")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("NotFound: Cluster nope: no Cluster named nope exists"),
    });
    expect(await run("drs", "nope", "--now")).toMatchObject({ code: 1, stderr: expect.stringContaining("NotFound: Cluster nope") });
  });
});
