// desk.subscribe: event-first callbacks, kind patterns, tenant and visibility limits,
// unsubscribe, and resuming with eventsSince.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { backends, actor, until } from './helpers.mjs'

for (const backend of backends()) {
  describe(`subscriptions on ${backend.name}`, () => {
    let ctx, desk
    const lead = actor('tenant-a', 'lead', ['TEAM_LEAD'])
    const endUser = actor('tenant-a', 'customer', ['END_USER'])
    const other = actor('tenant-b', 'lead-b', ['TEAM_LEAD'])
    before(async () => {
      ctx = await backend.open()
      desk = ctx.desk
    })
    after(async () => ctx.cleanup())

    it('delivers committed ticket events to (event) => void, filtered by kind and tenant', async () => {
      const seen = []
      const seenB = []
      const all = []
      const unsubscribe = desk.subscribe({ actor: lead, kinds: ['ticket.*'] }, (event) => seen.push(event))
      const unsubscribeB = desk.subscribe({ actor: other, kinds: ['ticket.*'] }, (event) => seenB.push(event))
      const unsubscribeAll = desk.subscribe({ actor: lead }, (...args) => all.push(args))
      assert.equal(typeof unsubscribe, 'function')
      const t = await desk.createTicket(lead, { subject: 'live' })
      await desk.addComment(lead, t.id, 'hello')
      await desk.ingest(actor('tenant-a', 'noc', ['NOC_OPERATOR']), {
        eventType: 'device.down', resourceType: 'olt', resourceId: 'o', occurredAt: new Date(),
      })
      await until(() => seen.length >= 2 && all.length >= 3, 5000, 'events')
      assert.deepEqual(seen.map((e) => e.kind).slice(0, 2), ['ticket.created', 'ticket.commented'])
      const created = seen[0]
      assert.equal(created.entityId, t.id)
      assert.equal(created.tenantId, 'tenant-a')
      assert.ok(created.at instanceof Date)
      assert.equal(typeof created.seq, 'number')
      assert.equal(created.payload.number, t.number)
      assert.ok(all.every((args) => args.length === 1 && typeof args[0].kind === 'string'), 'event-first, one argument')
      assert.ok(all.some(([e]) => e.kind === 'alarm.raised'))
      assert.ok(!seen.some((e) => e.kind.startsWith('alarm.')))
      assert.deepEqual(seenB, [], 'another tenant sees nothing')
      unsubscribe()
      unsubscribeB()
      unsubscribeAll()
      const n = seen.length
      await desk.createTicket(lead, { subject: 'after unsubscribe' })
      await new Promise((r) => setTimeout(r, 200))
      assert.equal(seen.length, n, 'no events after unsubscribe')
      unsubscribe() // idempotent
    })

    it('internal comments reach only actors who may see them', async () => {
      const staff = []
      const customer = []
      const u1 = desk.subscribe({ actor: lead, kinds: ['ticket.commented'] }, (e) => staff.push(e))
      const u2 = desk.subscribe({ actor: endUser, kinds: ['ticket.commented'] }, (e) => customer.push(e))
      const t = await desk.createTicket(endUser, { subject: 'mine' })
      await desk.addComment(lead, t.id, 'internal note', 'internal')
      await desk.addComment(lead, t.id, 'public reply')
      await until(() => staff.length >= 2 && customer.length >= 1, 5000, 'comment events')
      await new Promise((r) => setTimeout(r, 100))
      assert.equal(staff.length, 2)
      assert.equal(customer.length, 1)
      assert.equal(customer[0].internal, false)
      u1()
      u2()
    })

    it('eventsSince resumes from a sequence number, limited to the tenant', async () => {
      const evs = await desk.eventsSince(lead, 0, 1000)
      assert.ok(evs.length > 0)
      assert.ok(evs.every((e) => e.tenantId === 'tenant-a'))
      const seqs = evs.map((e) => e.seq)
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b))
      const tail = await desk.eventsSince(lead, seqs.at(-2), 10)
      assert.deepEqual(tail.map((e) => e.seq), [seqs.at(-1)])
      assert.deepEqual(await desk.eventsSince(other, 0, 1000), [])
    })

    it('close() ends live subscriptions', async () => {
      const c2 = await backend.open()
      const got = []
      c2.desk.subscribe({ actor: lead }, (e) => got.push(e))
      await c2.desk.createTicket(lead, { subject: 'x' })
      await until(() => got.length === 1, 5000, 'event before close')
      await c2.cleanup()
    })
  })
}
