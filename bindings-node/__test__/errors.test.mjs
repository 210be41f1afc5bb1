// Every error code reaches JavaScript as an Error with a stable `code` and the Desk's message;
// panics become rejections or exceptions, never an abort.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { backends, actor, rejectsWith } from './helpers.mjs'
import { Desk, diagnosticPanic, diagnosticPanicSync } from '../index.js'

describe('panics', () => {
  it('a panic in an async call rejects the promise', async () => {
    await assert.rejects(diagnosticPanic(), (e) => e instanceof Error && /diagnostic panic/.test(e.message))
  })
  it('a panic in a sync call throws', () => {
    assert.throws(() => diagnosticPanicSync(), (e) => e instanceof Error && /panic/.test(e.message))
  })
})

describe('opening', () => {
  it('a bad URL or configuration rejects with STORAGE / VALIDATION', async () => {
    await rejectsWith(Desk.open('mysql://nope'), 'STORAGE')
    await rejectsWith(Desk.open('sqlite::memory:', { workflow: 'no-such-workflow' }), 'VALIDATION')
    await rejectsWith(Desk.open('sqlite::memory:', { rbac: 'nobody' }), 'VALIDATION', /unknown rbac preset 'nobody'/)
    await rejectsWith(Desk.open('sqlite::memory:', { maxConnections: 0 }), 'VALIDATION', 'maxConnections must be at least 1')
  })
})

for (const backend of backends()) {
  describe(`error codes on ${backend.name}`, () => {
    let ctx, desk
    const lead = actor('acme', 'lead', ['TEAM_LEAD'])
    before(async () => {
      ctx = await backend.open()
      desk = ctx.desk
    })
    after(async () => ctx.cleanup())

    it('NOT_FOUND with the seed text', async () => {
      const id = '3fa85f64-5717-4562-b3fc-2c963f66afa6'
      const e = await rejectsWith(desk.getAlarm(actor('acme', 'noc', ['NOC_VIEWER']), id), 'NOT_FOUND', `Alarm ${id} not found`)
      assert.ok(e instanceof Error)
      assert.ok(e.stack)
      await rejectsWith(desk.getTicket(lead, id), 'NOT_FOUND', `Ticket ${id} not found`)
    })

    it('VALIDATION for malformed input, naming the field', async () => {
      await rejectsWith(desk.getTicket(lead, 'not-a-uuid'), 'VALIDATION', "id must be a UUID, got 'not-a-uuid'")
      await rejectsWith(desk.createTicket(lead, { subject: '   ' }), 'VALIDATION')
      await rejectsWith(desk.createTicket(lead, { subject: 'x', priority: 'urgent-ish' }), 'VALIDATION')
      await rejectsWith(desk.createTicket({ tenantId: '', userId: 'u' }, { subject: 'x' }), 'VALIDATION', 'actor.tenant_id must not be empty')
      await rejectsWith(desk.eventsSince(lead, 0, 5000), 'VALIDATION')
    })

    it('PERMISSION_DENIED with the seed text', async () => {
      const nobody = actor('acme', 'u', [])
      await rejectsWith(desk.createTicket(nobody, { subject: 'x' }), 'PERMISSION_DENIED', 'Permission denied. Required permission: tickets.create')
    })

    it('INVALID_TRANSITION', async () => {
      const t = await desk.createTicket(lead, { subject: 'x' })
      await rejectsWith(desk.transitionTicket(lead, t.id, 'CLOSED'), 'INVALID_TRANSITION')
      await rejectsWith(desk.transitionTicket(lead, t.id, 'NO_SUCH_STATE'), 'INVALID_TRANSITION', /Allowed next states: OPEN, IN_PROGRESS/)
    })

    it('CONFLICT', async () => {
      const noc = actor('acme', 'noc', ['NOC_OPERATOR'])
      const out = await desk.ingest(noc, { eventType: 'device.down', resourceType: 'olt', resourceId: 'o1', occurredAt: new Date() })
      await desk.createTicketFromAlarm(noc, out.alarmIds[0])
      await rejectsWith(desk.createTicketFromAlarm(noc, out.alarmIds[0]), 'CONFLICT', /already has ticket .*Please update the existing ticket instead\.$/)
    })

    it('wrong JS types are rejected before the call (napi argument checks)', async () => {
      assert.throws(() => desk.getTicket(lead, 42), (e) => e instanceof Error)
    })

    it('STORAGE once the Desk is closed', async () => {
      const other = await backend.open()
      await other.desk.close()
      await rejectsWith(other.desk.createTicket(lead, { subject: 'x' }), 'STORAGE')
      await other.cleanup().catch(() => {})
    })
  })
}
