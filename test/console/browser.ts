/**
 * A real browser for the console tests: Debian's chromium driven by playwright-core, a fresh
 * profile per launch, and a record of every request the page makes (to check none leaves the
 * origin). Screenshots go to test-output/console and their paths are printed.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, type Page, chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = resolve(__dirname, "..", "..", "test-output", "console");

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

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
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1440, height: 900 },
  });
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
