// Many promises in flight on one Desk: numbers stay unique, every write lands, one ticket per
// alarm under a race.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import pg from 'pg'
import { backends, actor } from './helpers.mjs'

for (const backend of backends()) {
  describe(`concurrency on ${backend.name}`, () => {
    let ctx, desk
    const lead = actor('acme', 'lead', ['TEAM_LEAD'])
    const noc = actor('acme', 'noc', ['NOC_OPERATOR'])
    before(async () => {
      ctx = await backend.open()
      desk = ctx.desk
    })
    after(async () => ctx.cleanup())

    it('60 concurrent createTicket calls get 60 distinct consecutive numbers', async () => {
      const made = await Promise.all(
        Array.from({ length: 60 }, (_, i) => desk.createTicket(lead, { subject: `t${i}`, labels: { run: 'c60' } })),
      )
      const seqs = made.map((t) => Number(t.number.split('-')[2])).sort((a, b) => a - b)
      assert.equal(new Set(seqs).size, 60)
      assert.equal(seqs.at(-1) - seqs[0], 59)
      const page = await desk.listTickets(lead, { labels: { run: 'c60' }, pageSize: 100 })
      assert.equal(page.total, 60)
    })

    it('concurrent comments and reads on one ticket all land', async () => {
      const t = await desk.createTicket(lead, { subject: 'busy' })
      await Promise.all([
        ...Array.from({ length: 30 }, (_, i) => desk.addComment(lead, t.id, `c${i}`)),
        ...Array.from({ length: 30 }, () => desk.getTicket(lead, t.id)),
      ])
      assert.equal((await desk.listComments(lead, t.id)).length, 30)
    })

    it('racing createTicketFromAlarm: exactly one wins, the others CONFLICT', async () => {
      const out = await desk.ingest(noc, { eventType: 'device.down', resourceType: 'olt', resourceId: 'race', occurredAt: new Date() })
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => desk.createTicketFromAlarm(noc, out.alarmIds[0])),
      )
      const ok = results.filter((r) => r.status === 'fulfilled')
      const conflicts = results.filter((r) => r.status === 'rejected' && r.reason.code === 'CONFLICT')
      assert.equal(ok.length, 1)
      assert.equal(conflicts.length, 7)
    })

    it('concurrent ingests of one event de-duplicate into one alarm with every occurrence', async () => {
      const e = { eventType: 'device.down', resourceType: 'olt', resourceId: 'storm', occurredAt: new Date() }
      const outs = await Promise.all(Array.from({ length: 20 }, () => desk.ingest(noc, e)))
      assert.equal(new Set(outs.map((o) => o.alarmIds[0])).size, 1)
      assert.equal((await desk.getAlarm(noc, outs[0].alarmIds[0])).occurrenceCount, 20)
    })
  })

  if (backend.name === 'postgres') {
    describe('connection pool on postgres', () => {
      let ctx
      before(async () => {
        ctx = await backend.open({ maxConnections: 2, acquireTimeoutMs: 20_000 })
      })
      after(async () => ctx.cleanup())

      it('maxConnections bounds the pool: 30 concurrent calls share 2 connections', async () => {
        const lead = actor('acme', 'lead', ['TEAM_LEAD'])
        const made = await Promise.all(Array.from({ length: 30 }, (_, i) => ctx.desk.createTicket(lead, { subject: `p${i}` })))
        assert.equal(new Set(made.map((t) => t.number)).size, 30)
        const db = new URL(ctx.url).pathname.slice(1)
        const c = new pg.Client({ connectionString: process.env.FAULTDESK_TEST_PG_URL })
        await c.connect()
        const r = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [db])
        await c.end()
        assert.ok(r.rows[0].n >= 1 && r.rows[0].n <= 2, `${r.rows[0].n} connections`)
      })
    })
  }
}
