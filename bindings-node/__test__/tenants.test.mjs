// Tenant isolation matrix (issue 11): every Desk use-case run as tenant B against tenant A's
// ids and numbers is NOT_FOUND (or an empty list, which reveals nothing) and changes nothing.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { backends, actor, rejectsWith, OLT_RULE as RULE } from './helpers.mjs'

/** Availability SLA terms named `name`. */
function slaTerms(name) {
  return { name, availability_target: '0.9999', measurement_period: { kind: 'calendar_month' }, monthly_fee: '100.00' }
}

for (const backend of backends()) {
  describe(`tenant isolation on ${backend.name}`, () => {
    let ctx, desk, A
    const a = actor('tenant-a', 'a-admin', ['ADMIN', 'NOC_ENGINEER'])
    const b = actor('tenant-b', 'b-admin', ['ADMIN', 'NOC_ENGINEER'])

    async function snapshot() {
      return {
        ticket: await desk.getTicket(a, A.ticket.id),
        closed: await desk.getTicket(a, A.closed.id),
        history: await desk.ticketHistory(a, A.ticket.id),
        comments: await desk.listComments(a, A.ticket.id),
        attachments: await desk.listAttachments(a, A.ticket.id),
        alarm: await desk.getAlarm(a, A.alarm),
        child: await desk.getAlarm(a, A.child),
        notes: await desk.listAlarmNotes(a, A.alarm),
        rules: await desk.listRules(a),
        windows: await desk.listMaintenanceWindows(a),
        tickets: (await desk.listTickets(a, { pageSize: 100 })).total,
        events: (await desk.eventsSince(a, 0, 1000)).length,
        slaDefinitions: await desk.listSlaDefinitions(a),
        slaInstance: await desk.getSlaInstance(a, A.slaInstance.id),
        slaInstances: (await desk.listSlaInstances(a)).total,
        slaBreaches: await desk.listSlaBreaches(a),
      }
    }

    before(async () => {
      ctx = await backend.open({ slaPolicy: 'itsm' })
      desk = ctx.desk
      const ticket = await desk.createTicket(a, { subject: 'A secret', labels: { contractor_id: 'c-a' } })
      const closed = await desk.createTicket(a, { subject: 'A resolved' })
      await desk.transitionTicket(a, closed.id, 'OPEN')
      await desk.transitionTicket(a, closed.id, 'RESOLVED', { resolutionNote: 'done' })
      const comment = await desk.addComment(a, ticket.id, 'A comment')
      const attachment = await desk.addAttachment(a, ticket.id, { fileName: 'a.pdf' }, Buffer.from('%PDF a'))
      const rule = await desk.createRule(a, RULE)
      const parent = await desk.ingest(a, { eventType: 'device.down', resourceType: 'olt', resourceId: 'olt-a', occurredAt: new Date() })
      const child = await desk.ingest(a, { eventType: 'signal.loss', resourceType: 'ont', resourceId: 'ont-a', severity: 'major', occurredAt: new Date() })
      const alarm = parent.alarmIds[0]
      await desk.addAlarmNote(a, alarm, 'comment', 'A note')
      const window = await desk.createMaintenanceWindow(a, {
        title: 'A works', start: new Date(Date.now() + 3_600_000), end: new Date(Date.now() + 7_200_000), scope: { resources: ['x'] },
      })
      const correlationId = (await desk.getAlarm(a, child.alarmIds[0])).correlationId
      const slaDefinition = await desk.createSlaDefinition(a, slaTerms("A's Gold"))
      const slaInstance = await desk.createSlaInstance(a, { definitionId: slaDefinition.id, customerId: 'cust-a', resourceIds: ['olt-a'] })
      A = { ticket, closed, comment, attachment, rule, alarm, child: child.alarmIds[0], window, correlationId, slaDefinition, slaInstance }
    })
    after(async () => ctx.cleanup())

    it('every use-case as tenant B on tenant A objects is NOT_FOUND and changes nothing', async () => {
      const before = await snapshot()
      const t = A.ticket.id
      const notFound = {
        getTicket: () => desk.getTicket(b, t),
        getTicketByNumber: () => desk.getTicketByNumber(b, A.ticket.number),
        updateTicket: () => desk.updateTicket(b, t, { subject: 'pwned', priority: 'critical' }),
        deleteTicket: () => desk.deleteTicket(b, t),
        assignTicket: () => desk.assignTicket(b, t, 'b-user'),
        transitionTicket: () => desk.transitionTicket(b, t, 'OPEN'),
        reopenTicket: () => desk.reopenTicket(b, A.closed.id, 'because'),
        ticketHistory: () => desk.ticketHistory(b, t),
        ticketSla: () => desk.ticketSla(b, t),
        addComment: () => desk.addComment(b, t, 'pwned'),
        editComment: () => desk.editComment(b, A.comment.id, 'pwned'),
        deleteComment: () => desk.deleteComment(b, A.comment.id),
        listComments: () => desk.listComments(b, t),
        addAttachment: () => desk.addAttachment(b, t, { fileName: 'b.pdf' }, Buffer.from('%PDF b')),
        listAttachments: () => desk.listAttachments(b, t),
        openAttachment: () => desk.openAttachment(b, A.attachment.id),
        deleteAttachment: () => desk.deleteAttachment(b, A.attachment.id),
        getAlarm: () => desk.getAlarm(b, A.alarm),
        acknowledgeAlarm: () => desk.acknowledgeAlarm(b, A.alarm),
        clearAlarm: () => desk.clearAlarm(b, A.alarm),
        resolveAlarm: () => desk.resolveAlarm(b, A.alarm),
        assignAlarm: () => desk.assignAlarm(b, A.alarm, 'b-user'),
        addAlarmNote: () => desk.addAlarmNote(b, A.alarm, 'comment', 'pwned'),
        listAlarmNotes: () => desk.listAlarmNotes(b, A.alarm),
        createTicketFromAlarm: () => desk.createTicketFromAlarm(b, A.alarm),
        updateRule: () => desk.updateRule(b, A.rule.id, { ...RULE, time_window: 1 }),
        deleteRule: () => desk.deleteRule(b, A.rule.id),
        cancelMaintenanceWindow: () => desk.cancelMaintenanceWindow(b, A.window.id),
        getSlaDefinition: () => desk.getSlaDefinition(b, A.slaDefinition.id),
        updateSlaDefinition: () => desk.updateSlaDefinition(b, A.slaDefinition.id, slaTerms('pwned')),
        deleteSlaDefinition: () => desk.deleteSlaDefinition(b, A.slaDefinition.id),
        createSlaInstance: () => desk.createSlaInstance(b, { definitionId: A.slaDefinition.id, customerId: 'cust-b', resourceIds: ['olt-a'] }),
        createSlaInstances: () => desk.createSlaInstances(b, [{ definitionId: A.slaDefinition.id, customerId: 'cust-b' }]),
        getSlaInstance: () => desk.getSlaInstance(b, A.slaInstance.id),
        updateSlaInstance: () => desk.updateSlaInstance(b, A.slaInstance.id, { monthlyFee: '1', metadata: { pwned: true } }),
        deleteSlaInstance: () => desk.deleteSlaInstance(b, A.slaInstance.id),
        recordSlaMeasurements: () => desk.recordSlaMeasurements(b, A.slaInstance.id, [{ at: new Date(), latencyMs: 1 }]),
        slaStatus: () => desk.slaStatus(b, A.slaInstance.id),
        listSlaBreachesOfInstance: () => desk.listSlaBreaches(b, { instanceId: A.slaInstance.id }),
      }
      for (const [name, call] of Object.entries(notFound)) {
        await rejectsWith(call(), 'NOT_FOUND').catch((e) => {
          throw new Error(`${name}: ${e.message}`)
        })
      }
      const empty = {
        alarmChildren: () => desk.alarmChildren(b, A.alarm),
        correlationGroup: () => desk.correlationGroup(b, A.correlationId),
      }
      for (const [name, call] of Object.entries(empty)) {
        try {
          assert.deepEqual(await call(), [], `${name} reveals nothing`)
        } catch (e) {
          if (e.code !== 'NOT_FOUND') throw new Error(`${name}: ${e.message}`)
        }
      }
      // Tenant B's own views contain nothing of A's.
      assert.equal((await desk.listTickets(b, { labels: { contractor_id: 'c-a' } })).total, 0)
      assert.equal((await desk.searchTickets(b, 'secret')).total, 0)
      assert.equal((await desk.ticketStats(b)).total, 0)
      assert.equal((await desk.listAlarms(b)).total, 0)
      assert.equal((await desk.alarmStats(b)).total, 0)
      assert.deepEqual(await desk.listRules(b), [])
      assert.deepEqual(await desk.listMaintenanceWindows(b), [])
      assert.deepEqual(await desk.checkUnacknowledged(b), [])
      assert.deepEqual(await desk.eventsSince(b, 0, 1000), [])
      assert.deepEqual(await desk.listSlaDefinitions(b), [])
      assert.equal((await desk.listSlaInstances(b)).total, 0)
      assert.deepEqual(await desk.listSlaBreaches(b), [])
      const report = await desk.slaComplianceReport(b, { from: new Date(Date.now() - 60 * 86_400_000), to: new Date(Date.now() + 86_400_000) })
      assert.equal(report.totals.instanceCount, 0)
      // B's own definition is B's only.
      const own = await desk.createSlaDefinition(b, slaTerms("B's Gold"))
      assert.deepEqual((await desk.listSlaDefinitions(b)).map((d) => d.id), [own.id])
      await desk.deleteSlaDefinition(b, own.id)
      assert.deepEqual(await snapshot(), before, 'tenant A is unchanged')
    })
  })
}
