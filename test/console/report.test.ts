/** `polyvisor report`: one HTML file that opens offline in a real browser, its charts drawn from data. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/state-file";
import { openBrowser } from "./browser";

const CLI = resolve(__dirname, "..", "..", "dist", "cli", "main.js");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function polyvisor(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: tmp.dir, encoding: "utf8", env: { ...process.env, POLYVISOR_STATE: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("polyvisor report", () => {
  it("writes a self-contained report of the demo whose charts have data, offline", async () => {
    const state = join(tmp.dir, "demo.db");
    expect(polyvisor("--state", state, "demo").code).toBe(0);
    const r = polyvisor("--state", state, "report", "--out", "report.html");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const path = r.stdout.trim();
    expect(path).toBe(join(tmp.dir, "report.html"));
    const html = readFileSync(path, "utf8");
    // Nothing is loaded from elsewhere: no src or href attribute at all.
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).toMatch(/HostFailed/);
    expect(html).toMatch(/HaRestarted/);

    const browser = await openBrowser();
    try {
      const url = pathToFileURL(path).href;
      await browser.page.goto(url);
      const charts = browser.page.locator("[data-chart]");
      await expect.poll(() => charts.count()).toBeGreaterThanOrEqual(3);
      await browser.page.locator("[data-chart] canvas").first().waitFor();
      const points = await charts.evaluateAll((els) =>
        els.map((el) => Number((el as unknown as { dataset: Record<string, string> }).dataset.points ?? 0)),
      );
      expect(points.every((p) => p > 0)).toBe(true);
      await browser.screenshot("report");
      expect(browser.requests.filter((u) => u !== url)).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("refuses a range that ends before it starts, as bad usage", () => {
    const r = polyvisor("--state", join(tmp.dir, "demo.db"), "report", "--out", "x.html", "--from", "2h", "--to", "1h");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from must not be after --to/);
  });
});
