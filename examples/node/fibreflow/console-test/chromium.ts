// Debian's chromium driven by playwright-core, as the browser tests use it: headless, with the
// flags this kind of machine needs (no sandbox as root; no background networking, component
// updates or sync, whose connections the closed network refuses), and a collector of the page's
// console errors and uncaught exceptions. Used by console.test.ts and by the noc report check
// (examples/noc/html-check.ts).
import { chromium, type Browser, type Page } from 'playwright-core'

/** The Chromium binary (`CHROMIUM_PATH`, default Debian's `/usr/bin/chromium`). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The command-line flags every browser test starts Chromium with. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** Starts headless Chromium (a fresh profile each time). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

/** Records every console error and uncaught exception of `page` into the returned array. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(String(e)))
  return errors
}

export type { Browser, Page } from 'playwright-core'
