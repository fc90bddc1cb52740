/**
 * The console in a real browser against a real `polyvisor serve --paused`: an operator sees the
 * hosts and VMs, fails esx2, advances the clock, sees HA restart the VMs elsewhere and recovers the
 * host; a viewer sees no action buttons; no request leaves the server's origin. A screenshot of
 * each step is saved (paths printed).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { CLI, type ServerProcess, startServer } from "../support/server-process";
import { tempDir } from "../support/state-file";
import { type Browser, openBrowser } from "./browser";

const tmp = tempDir();
const state = join(tmp.dir, "state.db");
let server: ServerProcess;
let browser: Browser;
const tokens: Record<string, string> = {};

function createToken(role: string): string {
  const r = spawnSync(process.execPath, [CLI, "--state", state, "token", "create", "--role", role, "--name", role], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

const VMS = ["app1", "app2", "db1", "web1", "web2", "web3"];

beforeAll(async () => {
  const rt = await openRuntime({ path: state });
  await rt.apply(cluster("prod", { ha: { enabled: true } }));
  for (const h of ["esx1", "esx2", "esx3"]) await rt.apply(esxHost(h));
  // Placed on esx2 first so that its failure has VMs to restart, then unpinned so HA may restart them anywhere.
  for (const name of VMS) await rt.apply(vm(name, { ...(name.endsWith("1") ? { host: "esx2" } : {}), workload: { cpuDemandMhz: 2000 } }));
  for (const name of VMS.filter((n) => n.endsWith("1"))) await rt.apply(vm(name, { workload: { cpuDemandMhz: 2000 } }));
  await rt.apply({
    kind: "Alarm",
    name: "prod-failover",
    spec: { target: { kind: "Cluster", name: "prod" }, metric: "haFailoverCapacity", threshold: 2, severity: "critical" },
  });
  await rt.advance(300);
  await rt.close();
  tokens.operator = createToken("operator");
  tokens.viewer = createToken("viewer");
  server = await startServer(state);
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  tmp.cleanup();
});

/** Names of the guests the page shows on a host's row. */
const guestsOn = (host: string) => browser.page.locator(`[data-host="${host}"] .chip`).allInnerTexts();

describe("the console", () => {
  it("shows every host and VM, and the role it signed in with", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/#token=${tokens.operator}`);
    for (const h of ["esx1", "esx2", "esx3"]) await page.locator(`[data-host="${h}"]`).waitFor();
    const shown = (await Promise.all(["esx1", "esx2", "esx3"].map(guestsOn))).flat().sort();
    expect(shown).toEqual(VMS);
    expect(await page.getByLabel("Role").textContent()).toBe("operator");
    // The token left the address bar once read.
    expect(page.url()).toBe(`${server.url}/`);
    await browser.screenshot("1-operator-overview");
  });

  it("fails esx2, advances the clock, shows HaRestarted and the VMs on other hosts, then recovers it", async () => {
    const { page } = browser;
    const onEsx2 = await guestsOn("esx2");
    expect(onEsx2.length).toBeGreaterThan(0);
    await page.getByRole("button", { name: "Fail esx2", exact: true }).click();
    await page.locator('[data-host="esx2"] .badge', { hasText: "failed" }).waitFor();
    await page
      .getByRole("button", { name: /Advance/ })
      .first()
      .click();
    await page.locator('.event[data-reason="HaRestarted"]').first().waitFor();
    // Every VM that was on esx2 shows on another host once the restarts have landed.
    await page.locator('[data-host="esx2"] .chip').first().waitFor({ state: "detached" });
    const elsewhere = [...(await guestsOn("esx1")), ...(await guestsOn("esx3"))];
    expect(elsewhere).toEqual(expect.arrayContaining(onEsx2));
    await browser.screenshot("2-esx2-failed-vms-restarted");
    // The alarm on HA's failover capacity went off with the failure: in the console and in /metrics.
    await page.locator('.event[data-reason="AlarmRaised"]').first().waitFor();
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${tokens.operator}` } })).text();
    expect(metrics).toMatch(
      /^polyvisor_alarm_raised\{alarm="prod-failover",severity="critical",metric="haFailoverCapacity",target_kind="Cluster",target="prod"\} 1$/m,
    );

    await page.getByRole("button", { name: "Recover esx2", exact: true }).click();
    await page.locator('[data-host="esx2"] .badge', { hasText: "connected" }).waitFor();
    await page.locator('.event[data-reason="HostRecovered"]').first().waitFor();
    await browser.screenshot("3-esx2-recovered");
  });

  it("shows a refused action with the server's message", async () => {
    const { page } = browser;
    // Maintenance changes the host's spec, which only an admin may do.
    await page.getByRole("button", { name: "Enter maintenance esx1", exact: true }).click();
    const refusal = page.locator(".toast-error").first();
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/role operator may not .*; it needs admin/);
    await browser.screenshot("3b-refused-action", { fullPage: false });
  });

  it("shows DRS, HA and the event log, with each event's reason", async () => {
    const { page } = browser;
    await page.getByRole("button", { name: "DRS", exact: true }).click();
    await page.locator(".chart-box canvas").first().waitFor();
    // The pass's two figures: the imbalance and the mean modelled VM DRS score.
    await page.getByText("Mean VM DRS score (modelled)").first().waitFor();
    await browser.screenshot("4-drs");
    await page.getByRole("button", { name: "HA", exact: true }).click();
    await page.getByText("Current failover capacity").waitFor();
    await browser.screenshot("5-ha");
    await page.getByRole("button", { name: "Alarms", exact: true }).click();
    await page.locator("main td", { hasText: "prod-failover" }).waitFor();
    await browser.screenshot("6-alarms");
    await page.getByRole("button", { name: "Events", exact: true }).click();
    for (const reason of ["HostFailed", "HaRestarted", "HostRecovered"])
      await page.locator(`main .event[data-reason="${reason}"]`).first().waitFor();
    await browser.screenshot("7-events");
    // Filtered by reason: only that reason's events remain.
    await page.getByLabel("Filter events by reason").selectOption("HaRestarted");
    await page.locator('main .event[data-reason="HostFailed"]').waitFor({ state: "detached" });
    const reasons = await page.locator("main .event").evaluateAll((els) => els.map((el) => el.getAttribute("data-reason")));
    expect(reasons.length).toBeGreaterThan(0);
    expect(new Set(reasons)).toEqual(new Set(["HaRestarted"]));
  });

  it("runs the paused server's clock at 60x and pauses it again", async () => {
    const { page } = browser;
    await page.getByRole("button", { name: "Run 60x", exact: true }).click();
    await page.getByRole("button", { name: "Pause clock (60x)", exact: true }).click();
    await page.getByRole("button", { name: "Resume clock", exact: true }).waitFor();
    await browser.screenshot("3c-clock-paused-again", { fullPage: false });
  });

  it("gives a viewer no action buttons", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/#token=${tokens.viewer}`);
    await page.getByLabel("Role").filter({ hasText: "viewer" }).waitFor();
    await page.locator('[data-host="esx1"]').waitFor();
    expect(await page.getByRole("button", { name: /^(Fail|Recover) / }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /Advance/ }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /clock|Run 60x/ }).count()).toBe(0);
    await browser.screenshot("8-viewer");
  });

  it("made no request outside the server's origin", () => {
    const origin = new URL(server.url).origin;
    expect(browser.requests.length).toBeGreaterThan(0);
    expect(browser.requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
  });
});
