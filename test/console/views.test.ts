/**
 * The console's views on larger inventories, in a real browser: the demo's whole datacenter (six
 * technologies, containers, storage, alarms) and a cluster of 96 hosts, shown as a heatmap with
 * every host named. Screenshots are saved for people to look at.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { CLI, startServer } from "../support/server-process";
import { tempDir } from "../support/state-file";
import { openBrowser } from "./browser";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function withConsole(
  state: string,
  look: (browser: Awaited<ReturnType<typeof openBrowser>>, url: string) => Promise<void>,
): Promise<void> {
  const server = await startServer(state);
  const browser = await openBrowser();
  try {
    await look(browser, server.url);
    const origin = new URL(server.url).origin;
    expect(browser.requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
  } finally {
    await browser.close();
    await server.stop();
  }
}

describe("console views", () => {
  it("show the demo's datacenter: every technology's hosts, containers with addresses, datastores, alarms", async () => {
    const state = join(tmp.dir, "demo.db");
    expect(spawnSync(process.execPath, [CLI, "--state", state, "demo"], { encoding: "utf8" }).status).toBe(0);
    await withConsole(state, async (browser, url) => {
      const { page } = browser;
      await page.goto(url);
      for (const host of ["esx1", "xen1", "vz1", "t2000", "vs1"]) await page.locator(`[data-host="${host}"]`).waitFor();
      await browser.screenshot("demo-hosts");
      await page.getByRole("button", { name: "Containers", exact: true }).click();
      await page.locator("main td", { hasText: "10.0.1.12" }).waitFor();
      await page.locator("main td", { hasText: "sol-web" }).waitFor();
      await browser.screenshot("demo-containers");
      await page.getByRole("button", { name: "Storage", exact: true }).click();
      await page.locator("main td", { hasText: "nfs-images" }).waitFor();
      await browser.screenshot("demo-storage");
      await page.getByRole("button", { name: "Virtual machines", exact: true }).click();
      await page.getByRole("button", { name: "xen-web", exact: true }).click();
      // The VM's details: its mode and why, and the live migration's rounds and downtime.
      await page.locator(".drawer", { hasText: "paravirtual" }).waitFor();
      await page.locator(".drawer dd", { hasText: "xen1 → xen2" }).waitFor();
      await browser.screenshot("demo-vm-details");
      await page.getByRole("button", { name: "DRS", exact: true }).click();
      await page.locator(".chart-box canvas").first().waitFor();
      await browser.screenshot("demo-drs");
    });
  });

  it("keep 96 hosts readable: a heatmap names every host", async () => {
    const state = join(tmp.dir, "big.db");
    const rt = await openRuntime({ path: state });
    await rt.apply(cluster("big"));
    const hosts = Array.from({ length: 96 }, (_, i) => `esx${String(i + 1).padStart(2, "0")}`);
    for (const h of hosts) await rt.apply(esxHost(h, "big"));
    for (let i = 0; i < 240; i++)
      await rt.apply(vm(`vm${String(i + 1).padStart(3, "0")}`, { workload: { cpuDemandMhz: 1000 + ((i * 737) % 4000) } }, "big"));
    await rt.advance(600);
    await rt.close();
    await withConsole(state, async (browser, url) => {
      const { page } = browser;
      await page.goto(url);
      await page.locator(".heat").first().waitFor();
      const names = await page.locator(".heat .heat-name").allTextContents();
      expect(names).toEqual(hosts);
      await browser.screenshot("96-hosts", { fullPage: false });
    });
  });
});
