// Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core (no
// browser is ever downloaded), with a fresh profile. A missing Chromium fails the tests, never skips them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { ensureWebAppBuilt } from './web-build.js';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  /** A new tab at a desktop size, with the cookies of earlier tests cleared. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; install Debian's package with "apt-get install -y chromium" (.ci/run does).`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-chromium-'));
  // Playwright passes the profile as --user-data-dir itself; `headless: false` leaves --headless to FLAGS.
  const context: BrowserContext = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, headless: false, viewport: { width: 1280, height: 800 } });
  return {
    async newPage(viewport = { width: 1280, height: 800 }) {
      for (const open of context.pages()) await open.close();
      await context.clearCookies();
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      page.setDefaultTimeout(10_000);
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The browser of a test file: the web app built and Chromium launched before its tests, closed after them. */
export function useBrowser(): Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    await ensureWebAppBuilt();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });
  const running = () => {
    if (!browser) throw new Error('useBrowser: the browser exists only while the tests run');
    return browser;
  };
  return { newPage: (viewport) => running().newPage(viewport), close: () => running().close() };
}

const SCREENSHOTS = path.resolve(import.meta.dirname, '../../dist/screenshots/web');

/** Where a screenshot for reviewers goes: dist/screenshots/web (kept out of git with dist/). */
export async function screenshotPath(name: string): Promise<string> {
  await fs.promises.mkdir(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, `${name}.png`);
}

/** Saves a screenshot of the whole page for reviewers. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: await screenshotPath(name) });
}
