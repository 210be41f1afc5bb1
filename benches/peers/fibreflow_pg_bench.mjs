// FibreFlow's ticket flows (seed 004) two ways on the same PostgreSQL:
//   pg        — what FibreFlow does today: the `pg` client and hand-written SQL on its own
//               tables (tickets + ticket_status_history, a per-year counter for the number);
//   faultdesk — the Node binding's Desk (number, audit event and outbox event in one commit).
// Flows: create-with-audit-and-number (sequential latency and 16 concurrent callers) and
// "open tickets by contractor ordered by priority and age" (first page of 50).
// Prints raw figures and the ratios. Not part of the normal test run.
//
// Usage, with a release addon:
//   (cd bindings-node && npx napi build --platform --release -o ../target/node-release)
//   NAPI_RS_NATIVE_LIBRARY_PATH=$PWD/target/node-release/faultdesk.linux-x64-gnu.node \
//     scripts/with-postgres.sh node benches/peers/fibreflow_pg_bench.mjs [--tickets 20000] [--creates 2000]
// (without NAPI_RS_NATIVE_LIBRARY_PATH it loads bindings-node's own addon, usually a dev build).
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import os from 'node:os'

const require = createRequire(new URL('../../bindings-node/package.json', import.meta.url))
const pg = require('pg')
const { Desk } = require('./index.js')

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const TICKETS = arg('tickets', 20000)
const CREATES = arg('creates', 2000)
const LISTS = arg('lists', 2000)
const CONTRACTORS = 200
const CONCURRENCY = 16
const PRIORITIES = ['low', 'normal', 'high', 'critical']

const admin = process.env.FAULTDESK_TEST_PG_URL
if (!admin) {
  console.error('FAULTDESK_TEST_PG_URL is not set (run under scripts/with-postgres.sh)')
  process.exit(2)
}
const dbUrl = (name) => {
  const u = new URL(admin)
  u.pathname = `/${name}`
  return u.toString()
}
async function freshDb(name) {
  const c = new pg.Client({ connectionString: admin })
  await c.connect()
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await c.query(`CREATE DATABASE ${name}`)
  await c.end()
  return dbUrl(name)
}

// ---------------------------------------------------------------- the hand-written pg version
const SCHEMA = `
CREATE TABLE ticket_counters (year int PRIMARY KEY, seq bigint NOT NULL);
CREATE TABLE tickets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number text NOT NULL UNIQUE,
  title text NOT NULL, description text NOT NULL DEFAULT '',
  status text NOT NULL, priority smallint NOT NULL,
  contractor_id text, project_id text, assigned_to text, created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX tickets_contractor ON tickets (contractor_id, priority DESC, created_at DESC);
CREATE TABLE ticket_status_history (
  id bigserial PRIMARY KEY, ticket_id uuid NOT NULL REFERENCES tickets(id),
  old_status text, new_status text NOT NULL, changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX history_ticket ON ticket_status_history (ticket_id);`

async function pgCreate(pool, i, contractor) {
  const c = await pool.connect()
  try {
    await c.query('BEGIN')
    const year = new Date().getUTCFullYear()
    const n = await c.query(
      `INSERT INTO ticket_counters (year, seq) VALUES ($1, 1)
       ON CONFLICT (year) DO UPDATE SET seq = ticket_counters.seq + 1 RETURNING seq`, [year])
    const number = `TKT-${year}-${String(n.rows[0].seq).padStart(6, '0')}`
    const t = await c.query(
      `INSERT INTO tickets (number, title, status, priority, contractor_id, project_id, created_by)
       VALUES ($1, $2, 'pending', $3, $4, $5, $6) RETURNING *`,
      [number, `ticket ${i}`, 1 + (i % 4), contractor, `p-${i % 17}`, 'u-1'])
    await c.query(
      `INSERT INTO ticket_status_history (ticket_id, old_status, new_status, changed_by) VALUES ($1, NULL, 'pending', $2)`,
      [t.rows[0].id, 'u-1'])
    await c.query('COMMIT')
    return t.rows[0]
  } catch (e) {
    await c.query('ROLLBACK')
    throw e
  } finally {
    c.release()
  }
}

async function pgListOpen(pool, contractor) {
  const r = await pool.query(
    `SELECT * FROM tickets WHERE contractor_id = $1 AND status != 'closed'
     ORDER BY priority DESC, created_at DESC LIMIT 50`, [contractor])
  return r.rows
}

// ---------------------------------------------------------------- the faultdesk version
const actor = { tenantId: 'fibreflow', userId: 'u-1', roles: ['TEAM_LEAD'] }
const fdCreate = (desk, i, contractor) =>
  desk.createTicket(actor, {
    subject: `ticket ${i}`,
    priority: PRIORITIES[i % 4],
    labels: { contractor_id: contractor, project_id: `p-${i % 17}` },
  })
const fdListOpen = (desk, contractor) =>
  desk.listTickets(actor, { openOnly: true, labels: { contractor_id: contractor }, sort: ['-priority', '-createdAt'], pageSize: 50 })

// ---------------------------------------------------------------- harness
async function inParallel(n, total, f) {
  let next = 0
  const worker = async () => {
    while (next < total) await f(next++)
  }
  await Promise.all(Array.from({ length: n }, worker))
}

async function timeSeq(n, f) {
  const lat = []
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const s = performance.now()
    await f(i)
    lat.push(performance.now() - s)
  }
  return { total: performance.now() - t0, lat }
}

function stats(label, n, r) {
  const lat = [...r.lat].sort((a, b) => a - b)
  const p = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]
  return { label, n, ops_per_s: +(n / (r.total / 1000)).toFixed(1), mean_ms: +(r.total / n).toFixed(3), p50_ms: +p(0.5).toFixed(3), p99_ms: +p(0.99).toFixed(3) }
}

async function timePar(n, f) {
  const t0 = performance.now()
  await inParallel(CONCURRENCY, n, f)
  const total = performance.now() - t0
  return { label: '', n, ops_per_s: +(n / (total / 1000)).toFixed(1), mean_ms: +(total / n).toFixed(3) }
}

const contractor = (i) => `c-${i % CONTRACTORS}`

async function main() {
  console.log(`# addon: ${process.env.NAPI_RS_NATIVE_LIBRARY_PATH ?? "bindings-node/ (default build)"}`)
  console.log(`# fibreflow_pg_bench: ${TICKETS} tickets loaded, ${CREATES} creates, ${LISTS} lists; node ${process.version}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  const pgUrl = await freshDb('ff_bench_pg')
  const fdUrl = await freshDb('ff_bench_fd')
  const pool = new pg.Pool({ connectionString: pgUrl, max: CONCURRENCY })
  await pool.query(SCHEMA)
  const desk = await Desk.open(fdUrl, { workflow: 'fibreflow' })

  // Load both with the same data (closing ~30% so "open" filters something out).
  await inParallel(CONCURRENCY, TICKETS, async (i) => {
    const t = await pgCreate(pool, i, contractor(i))
    if (i % 10 < 3) {
      await pool.query(`UPDATE tickets SET status = 'closed' WHERE id = $1`, [t.id])
    }
  })
  await inParallel(CONCURRENCY, TICKETS, async (i) => {
    const t = await fdCreate(desk, i, contractor(i))
    if (i % 10 < 3) await desk.transitionTicket(actor, t.id, 'closed')
  })
  await pool.query('VACUUM ANALYZE')
  const fdPool = new pg.Client({ connectionString: fdUrl })
  await fdPool.connect()
  await fdPool.query('VACUUM ANALYZE')
  await fdPool.end()

  // Same answers first (ids differ; compare the shape of the first page).
  const a = await pgListOpen(pool, 'c-7')
  const b = await fdListOpen(desk, 'c-7')
  if (a.length !== b.items.length) throw new Error(`different page sizes: pg ${a.length}, faultdesk ${b.items.length}`)

  const rows = []
  // Warm up.
  for (let i = 0; i < 200; i++) {
    await pgListOpen(pool, contractor(i))
    await fdListOpen(desk, contractor(i))
  }
  const listPg = stats('list open by contractor — pg', LISTS, await timeSeq(LISTS, (i) => pgListOpen(pool, contractor(i * 7))))
  const listFd = stats('list open by contractor — faultdesk', LISTS, await timeSeq(LISTS, (i) => fdListOpen(desk, contractor(i * 7))))
  const createPg = stats('create with audit + number — pg', CREATES, await timeSeq(CREATES, (i) => pgCreate(pool, TICKETS + i, contractor(i))))
  const createFd = stats('create with audit + number — faultdesk', CREATES, await timeSeq(CREATES, (i) => fdCreate(desk, TICKETS + i, contractor(i))))
  const parPg = await timePar(CREATES, (i) => pgCreate(pool, 2 * TICKETS + i, contractor(i)))
  const parFd = await timePar(CREATES, (i) => fdCreate(desk, 2 * TICKETS + i, contractor(i)))
  parPg.label = `create, ${CONCURRENCY} concurrent — pg`
  parFd.label = `create, ${CONCURRENCY} concurrent — faultdesk`
  const listParPg = await timePar(LISTS, (i) => pgListOpen(pool, contractor(i * 3)))
  const listParFd = await timePar(LISTS, (i) => fdListOpen(desk, contractor(i * 3)))
  listParPg.label = `list, ${CONCURRENCY} concurrent — pg`
  listParFd.label = `list, ${CONCURRENCY} concurrent — faultdesk`
  rows.push(listPg, listFd, createPg, createFd, parPg, parFd, listParPg, listParFd)
  console.table(rows)
  const ratio = (x, y) => (x.ops_per_s / y.ops_per_s).toFixed(2)
  console.log(`faultdesk / pg throughput: list ${ratio(listFd, listPg)}x (target >= 1), create ${ratio(createFd, createPg)}x (target >= 3), create ${CONCURRENCY}-concurrent ${ratio(parFd, parPg)}x, list ${CONCURRENCY}-concurrent ${ratio(listParFd, listParPg)}x`)
  console.log(`# load after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  await desk.close()
  await pool.end()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
