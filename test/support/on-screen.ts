// What a person sees, for browser tests: an element whole on screen, nothing lying over it, its text at a
// readable size and contrast, and where the keyboard focus is.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/** Whether the whole element is inside the viewport, visible and with a size. */
export async function isOnScreen(page: Page, locator: Locator): Promise<boolean> {
  if (!(await locator.isVisible())) return false;
  const box = await locator.boundingBox();
  const viewport = page.viewportSize();
  if (!box || !viewport) return false;
  return box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height && box.width > 0 && box.height > 0;
}

/** Whether what a person sees at the element's corners and centre is the element itself (nothing lies over it). */
export async function isUncovered(locator: Locator): Promise<boolean> {
  return locator.evaluate((element: unknown) => {
    // Runs in the page, where the DOM exists; this project's types have no DOM.
    type Box = { left: number; top: number; right: number; bottom: number };
    type Node = { contains(other: unknown): boolean; getBoundingClientRect(): Box };
    const el = element as Node;
    const doc = (globalThis as unknown as { document: { elementFromPoint(x: number, y: number): unknown } }).document;
    const r = el.getBoundingClientRect();
    const points = [
      [r.left + 3, r.top + 3],
      [r.right - 3, r.top + 3],
      [(r.left + r.right) / 2, (r.top + r.bottom) / 2],
      [r.left + 3, r.bottom - 3],
      [r.right - 3, r.bottom - 3],
    ] as const;
    return points.every(([x, y]) => el.contains(doc.elementFromPoint(x, y)));
  });
}

/** Whether the element's text runs past its box (cut off, or hidden behind an ellipsis). */
export async function isCutOff(locator: Locator): Promise<boolean> {
  return locator.evaluate((element: unknown) => {
    const el = element as { scrollWidth: number; clientWidth: number };
    return el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
  });
}

/** The text's size and the contrast of its colour against the first opaque background behind it (WCAG's ratio). */
export async function readability(locator: Locator): Promise<{ fontSize: number; contrast: number }> {
  return locator.evaluate((element: unknown) => {
    type El = { parentElement: El | null };
    const view = globalThis as unknown as { getComputedStyle(e: El): { color: string; backgroundColor: string; fontSize: string } };
    const el = element as El;
    const rgba = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    let background = [255, 255, 255];
    for (let node: El | null = el; node; node = node.parentElement) {
      const [r = 0, g = 0, b = 0, a = 1] = rgba(view.getComputedStyle(node).backgroundColor);
      if (a > 0) {
        background = [r, g, b];
        break;
      }
    }
    const style = view.getComputedStyle(el);
    const [light, dark] = [luminance(rgba(style.color)), luminance(background)].sort((x, y) => y - x) as [number, number];
    return { fontSize: Number.parseFloat(style.fontSize), contrast: (light + 0.05) / (dark + 0.05) };
  });
}

/** Asserts a person sees the element whole: on screen, nothing over it, at a readable size and contrast. */
export async function expectReadable(page: Page, locator: Locator, minFontSize = 13): Promise<void> {
  // Brought to the middle of its scrolling pane, as a person scrolls what they read (scrolling it just into
  // view can leave a fraction of a pixel below the edge).
  await locator.evaluate((el: unknown) => (el as { scrollIntoView(options: { block: string }): void }).scrollIntoView({ block: 'center' }));
  expect(await isOnScreen(page, locator)).toBe(true);
  await expect.poll(() => isUncovered(locator)).toBe(true);
  const shown = await readability(locator);
  expect(shown.fontSize).toBeGreaterThanOrEqual(minFontSize);
  expect(shown.contrast).toBeGreaterThanOrEqual(4.5);
}

/** Whether the element has the keyboard focus. */
export const isFocused = (locator: Locator) => locator.evaluate((el: unknown) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement);
