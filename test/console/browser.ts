/**
 * A real browser for the console tests: Debian's chromium driven by playwright-core, a fresh
 * profile per launch, and a record of every request the page makes (to check none leaves the
 * origin). Screenshots go to test-output/console and their paths are printed.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../../tools/chromium";

export const SCREENSHOTS = resolve(__dirname, "..", "..", "test-output", "console");

export interface Browser {
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  /** Saves the whole page (or only the viewport) and prints the file's path. */
  screenshot(name: string, opts?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "polyvisor-chromium-"));
  const context: BrowserContext = await launchChromium(profile);
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    page,
    requests,
    async screenshot(name, opts = {}) {
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: opts.fullPage ?? true });
      process.stdout.write(`screenshot: ${path}\n`);
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
