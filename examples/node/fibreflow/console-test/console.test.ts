// The live console in real Chromium (Debian's chromium, driven by playwright-core): open the
// page, create a ticket and raise alarms through the API, and see them appear without a reload,
// the ONT's alarm folded under its OLT's root cause; the contractor filter narrows the lists.
// Saves a screenshot (FIBREFLOW_SCREENSHOT, default target/fibreflow-console.png).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Server } from 'node:http'
import type { Browser, Page } from 'playwright-core'
import { start } from '../server'
import { closeDesk } from '../lib/desk'
import { collectConsoleErrors, launchChromium } from './chromium'

const SCREENSHOT = process.env.FIBREFLOW_SCREENSHOT ?? 'target/fibreflow-console.png'

describe('live console in Chromium', () => {
  let server: Server
  let url: string
  let browser: Browser
  let page: Page
  let consoleErrors: string[] = []

  before(async () => {
    ;({ server, url } = await start(0))
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    consoleErrors = collectConsoleErrors(page)
  })
  after(async () => {
    await browser?.close()
    await new Promise((r) => server?.close(r))
    server?.closeAllConnections?.()
    await closeDesk()
  })

  const post = async (path: string, body: unknown) => {
    const r = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const text = await r.text()
    assert.ok(r.status < 300, `${path}: ${r.status} ${text}`)
    return JSON.parse(text) as Record<string, unknown>
  }

  it('shows tickets and alarms as they commit, children folded under their root', async () => {
    await page.goto(url + '/console')
    await page.waitForSelector('#status.live', { timeout: 10_000 })
    assert.equal(await page.locator('li.ticket').count(), 0)
    const refreshed = await page.evaluate(() => document.body.dataset.refreshed)

    const t = await post('/api/tickets', { title: 'Fibre cut on Main St', priority: 'critical', contractor_id: 'c-9' })
    await page.waitForSelector(`li.ticket[data-ticket-id="${t.id}"]`, { timeout: 10_000 })
    await post('/api/tickets', { title: 'Pole leaning on Oak Ave', priority: 'low', contractor_id: 'c-1' })
    const olt = await post('/api/alarms', { event_type: 'device.down', resource_type: 'olt', resource_id: 'olt-7', severity: 'critical', title: 'OLT 7 down', contractor_id: 'c-9' })
    const ont = await post('/api/alarms', { event_type: 'signal.loss', resource_type: 'ont', resource_id: 'ont-71', severity: 'major', title: 'ONT 71 loss of signal', contractor_id: 'c-9' })
    const child = page.locator(`li.alarm[data-alarm-id="${olt.alarm_id}"] ul.children li.child[data-alarm-id="${ont.alarm_id}"]`)
    await child.waitFor({ timeout: 10_000 })
    assert.match(await child.textContent() ?? '', /ONT 71 loss of signal \(suppressed\)/)
    assert.equal(await page.locator(`#alarms > li.alarm[data-alarm-id="${ont.alarm_id}"]`).count(), 0, 'the child is not a root of its own')
    assert.match(await page.locator(`li.alarm[data-alarm-id="${olt.alarm_id}"]`).textContent() ?? '', /root cause/)
    await page.waitForFunction(() => document.querySelectorAll('li.ticket').length === 2)
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), 1, 'no reload')
    assert.notEqual(await page.evaluate(() => document.body.dataset.refreshed), refreshed)

    await page.fill('#contractor', 'c-1')
    await page.waitForFunction(() => document.querySelectorAll('li.ticket').length === 1)
    assert.match(await page.locator('li.ticket').textContent() ?? '', /Pole leaning/)
    await page.fill('#contractor', '')
    await page.waitForFunction(() => document.querySelectorAll('li.ticket').length === 2)

    mkdirSync(dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    assert.deepEqual(consoleErrors, [])
  })
})
