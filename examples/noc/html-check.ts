// The noc example's HTML report (`--html`) in headless Chromium: the page loads with no console
// error and no request for anything outside the file, and every expected chart rendered (an
// inline <svg> laid out at a readable size, with shapes and text). Saves a full-page screenshot.
//
// Run by scripts/test-noc-html.sh:
//   NOC_HTML=report.html [NOC_HTML_CHARTS=id,id,...] [NOC_HTML_SCREENSHOT=out.png] \
//     node --import tsx --test examples/noc/html-check.ts      (from bindings-node/, for tsx)
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { collectConsoleErrors, launchChromium, type Browser, type Page } from '../node/fibreflow/console-test/chromium'

const REPORT = process.env.NOC_HTML
const CHARTS = (process.env.NOC_HTML_CHARTS ?? 'timeline,funnel,tickets-by-trigger,sla-availability,sla-credits').split(',').filter(Boolean)
const SCREENSHOT = process.env.NOC_HTML_SCREENSHOT

describe('noc HTML report in Chromium', () => {
  let browser: Browser
  let page: Page
  let consoleErrors: string[] = []
  const foreign: string[] = []

  before(async () => {
    assert.ok(REPORT, 'NOC_HTML names the report to open')
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    consoleErrors = collectConsoleErrors(page)
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) foreign.push(r.url())
    })
  })
  after(async () => {
    await browser?.close()
  })

  it('renders every chart, self-contained, without console errors', async () => {
    const url = pathToFileURL(resolve(REPORT!)).href
    const response = await page.goto(url, { waitUntil: 'load' })
    assert.ok(response?.ok(), `${url} opens`)
    assert.match(await page.title(), /faultdesk noc report/)
    // The screenshot first, so that a failing check still leaves it to look at.
    if (SCREENSHOT) {
      mkdirSync(dirname(SCREENSHOT), { recursive: true })
      await page.screenshot({ path: SCREENSHOT, fullPage: true })
    }

    const charts = await page.$$eval('figure[data-chart]', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg')
        const box = svg?.getBoundingClientRect()
        return {
          id: f.getAttribute('data-chart') ?? '',
          title: f.querySelector('h2')?.textContent ?? '',
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          shapes: svg?.querySelectorAll('rect, polyline, path, line, circle').length ?? 0,
          texts: Array.from(svg?.querySelectorAll('text') ?? []).filter((t) => (t.textContent ?? '').trim() !== '').length,
        }
      }))
    const ids = charts.map((c) => c.id)
    for (const id of CHARTS) assert.ok(ids.includes(id), `chart ${id} is on the page (found ${ids.join(', ')})`)
    for (const c of charts) {
      assert.ok(c.title.length > 0, `${c.id} has a title`)
      assert.ok(c.width >= 400 && c.height >= 150, `${c.id} is laid out at a readable size: ${c.width}x${c.height}`)
      assert.ok(c.shapes > 3, `${c.id} draws shapes (${c.shapes})`)
      assert.ok(c.texts >= 2, `${c.id} has axis labels (${c.texts} texts)`)
    }
    assert.ok((await page.locator('#summary tr').count()) > 5, 'the summary table is there')

    assert.deepEqual(foreign, [], 'the page requests nothing outside its file')
    assert.deepEqual(consoleErrors, [], 'no console errors')
  })
})
