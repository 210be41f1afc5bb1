// Shared test harness of the Node binding: every suite runs on each backend — a SQLite file in
// a temp dir and, when FAULTDESK_TEST_PG_URL is set (scripts/with-postgres.sh), a fresh
// PostgreSQL database of its own, dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { Desk } from '../index.js'

/** The backends to run on: `[{ name, open(config) -> { desk, url, blobDir, cleanup } }]`. */
export function backends() {
  const list = [{ name: 'sqlite', open: openSqlite }]
  if (process.env.FAULTDESK_TEST_PG_URL) list.push({ name: 'postgres', open: openPostgres })
  return list
}

async function openSqlite(config = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'faultdesk-node-'))
  const url = `sqlite://${join(dir, 'desk.db')}`
  const desk = await Desk.open(url, { blobDir: join(dir, 'blobs'), ...config })
  return {
    desk,
    url,
    blobDir: join(dir, 'blobs'),
    async cleanup() {
      await desk.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function openPostgres(config = {}) {
  const admin = process.env.FAULTDESK_TEST_PG_URL
  const name = `fd_node_${randomBytes(6).toString('hex')}`
  const c = new pg.Client({ connectionString: admin })
  await c.connect()
  await c.query(`CREATE DATABASE ${name}`)
  await c.end()
  const u = new URL(admin)
  u.pathname = `/${name}`
  const url = u.toString()
  const dir = mkdtempSync(join(tmpdir(), 'faultdesk-node-'))
  const desk = await Desk.open(url, { blobDir: join(dir, 'blobs'), ...config })
  return {
    desk,
    url,
    blobDir: join(dir, 'blobs'),
    async cleanup() {
      await desk.close()
      const d = new pg.Client({ connectionString: admin })
      await d.connect()
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await d.end()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** An actor of `tenant` with `roles`. */
export function actor(tenant, user = 'u-1', roles = ['ADMIN'], permissions = []) {
  return { tenantId: tenant, userId: user, roles, permissions, ip: '10.0.0.2' }
}

/** Rejects unless `promise` rejects with an Error whose code is `code` (and message `message`). */
export async function rejectsWith(promise, code, message) {
  let err
  try {
    await promise
  } catch (e) {
    err = e
  }
  if (!err) throw new Error(`expected a ${code} rejection, the promise resolved`)
  if (!(err instanceof Error)) throw new Error(`expected an Error, got ${String(err)}`)
  if (err.code !== code) throw new Error(`expected code ${code}, got ${err.code}: ${err.message}`)
  if (message !== undefined) {
    const ok = message instanceof RegExp ? message.test(err.message) : err.message === message
    if (!ok) throw new Error(`expected message ${message}, got: ${err.message}`)
  }
  return err
}

/** Waits until `pred()` is true (polling), at most `ms`. */
export async function until(pred, ms = 5000, what = 'condition') {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await pred()) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** An alarm event `minutes` ago. */
export function event(type, resourceType, resourceId, extra = {}, minutesAgo = 0) {
  return {
    eventType: type,
    resourceType,
    resourceId,
    occurredAt: new Date(Date.now() - minutesAgo * 60_000),
    ...extra,
  }
}

/** Seed 002's OLT → ONT correlation rule. */
export const OLT_RULE = {
  name: 'OLT to ONT Correlation',
  type: 'correlation',
  conditions: {
    parent: { alarm_type: 'device.down', resource_type: 'olt' },
    child: { alarm_type: 'signal.loss', resource_type: 'ont' },
  },
  actions: { mark_parent_as_root_cause: true, suppress_child_alarms: true, create_correlation_id: true },
  time_window: 300,
}
