/** `polyvisor drs CLUSTER`: the last pass, a pass run now, applying recommendations, and errors. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main";
import { openRuntime } from "../../runtime";
import { busy, skewedCluster } from "../support/drs-fixtures";

let dir: string;
let state: string;

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  try {
    const code = await main(["node", "polyvisor", "--state", state, ...args]);
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "polyvisor-cli-"));
  state = join(dir, "state.db");
  const rt = await openRuntime({ path: state });
  await skewedCluster(rt, { clusterSpec: { drs: { automationLevel: "manual" } }, hosts: 3, vms: { a: busy(9000), b: busy(9000), c: busy(9000) } });
  await rt.close();
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("polyvisor drs", () => {
  it("says when no pass has run, then shows a pass run now with its recommendations", async () => {
    expect(await run("drs", "prod")).toMatchObject({ code: 0, out: expect.stringContaining("no DRS pass has run yet") });
    const now = await run("drs", "prod", "--now");
    expect(now.code).toBe(0);
    expect(now.out).toMatch(/Imbalance [\d.]+ now, [\d.]+ once the recommendations are applied \(target 0\.1155\)/);
    expect(now.out).toMatch(/Recommendations \(not applied\):\nVM\s+FROM\s+TO\s+PRIORITY\s+REASON\na\s+esx1\s+esx2\s+2\s+load balancing: imbalance/);
  });

  it("applies the moves with --apply and reports them as applied", async () => {
    const applied = await run("drs", "prod", "--apply");
    expect(applied.out).toMatch(/Imbalance before [\d.]+, after [\d.]+ \(target 0\.1155; cpu [\d.]+, memory [\d.]+\)/);
    expect(applied.out).toContain("Moves applied:");
    const json = await run("--json", "drs", "prod");
    expect(JSON.parse(json.out)).toMatchObject({ recommendations: [], moves: [expect.objectContaining({ vm: "a", fromHost: "esx1" }), expect.anything()] });
  });

  it("exits 1 with the reason for a cluster that does not exist", async () => {
    expect(await run("drs", "nope")).toMatchObject({ code: 1, err: expect.stringContaining("NotFound: Cluster nope: no Cluster named nope exists") });
    expect(await run("drs", "nope", "--now")).toMatchObject({ code: 1, err: expect.stringContaining("NotFound: Cluster nope") });
  });
});
