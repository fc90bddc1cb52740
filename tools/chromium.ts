/**
 * Debian's chromium driven by playwright-core, as the browser tests and the console bench use it: a
 * fresh profile per launch and the flags that keep a headless chromium off the network it would
 * otherwise reach for on its own (updates, sync, background requests).
 */
import { type BrowserContext, chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

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

/** A browser with its own profile folder (the caller makes and removes it), at a desktop viewport. */
export function launchChromium(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1440, height: 900 },
  });
}
