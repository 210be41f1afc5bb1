// Alarm, correlation, rule, topology and maintenance use-cases and seed 000's
// create-ticket-from-alarm through the Node binding, on each backend.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { backends, actor, rejectsWith, event, OLT_RULE } from './helpers.mjs'

for (const backend of backends()) {
  describe(`alarms on ${backend.name}`, () => {
    let ctx, desk
    const noc = actor('isp', 'noc-1', ['NOC_ENGINEER'])
    const viewer = actor('isp', 'viewer-1', ['NOC_VIEWER'])
    before(async () => {
      ctx = await backend.open()
      desk = ctx.desk
    })
    after(async () => ctx.cleanup())

    it('ingests, de-duplicates, acknowledges, clears and resolves', async () => {
      const e = event('device.down', 'olt', 'olt-dedup', { title: 'OLT down', severity: 'major' })
      const first = await desk.ingest(noc, e)
      assert.equal(first.created, 1)
      assert.equal(first.events, 1)
      assert.equal(first.decisions[0].kind, 'created')
      const again = await desk.ingest(noc, { ...e, occurredAt: new Date() })
      assert.deepEqual(again.alarmIds, first.alarmIds)
      const id = first.alarmIds[0]
      let a = await desk.getAlarm(noc, id)
      assert.equal(a.occurrenceCount, 2)
      assert.equal(a.status, 'active')
      assert.equal(a.severity, 'major')
      assert.ok(a.firstOccurrence instanceof Date)
      assert.equal(a.ticketId, null)
      a = await desk.acknowledgeAlarm(noc, id)
      assert.equal(a.status, 'acknowledged')
      assert.equal(a.acknowledgedBy, 'noc-1')
      a = await desk.assignAlarm(noc, id, 'tech-9')
      assert.equal(a.assignedTo, 'tech-9')
      const note = await desk.addAlarmNote(noc, id, 'investigation', 'Power issue at the cabinet')
      assert.equal(note.noteType, 'investigation')
      assert.deepEqual((await desk.listAlarmNotes(noc, id)).map((n) => n.id), [note.id])
      a = await desk.clearAlarm(noc, id)
      assert.equal(a.status, 'cleared')
      assert.equal(a.raisedSeverity, 'major')
      a = await desk.resolveAlarm(noc, id)
      assert.equal(a.status, 'resolved')
      await rejectsWith(desk.acknowledgeAlarm(viewer, id), 'PERMISSION_DENIED', 'Permission denied. Required permission: faults.alarms.write')
    })

    it('batches are all-or-nothing', async () => {
      const before = (await desk.listAlarms(noc, { resourceType: 'batch' })).total
      await rejectsWith(
        desk.ingestBatch(noc, [event('device.down', 'batch', 'b-1'), { ...event('device.down', 'batch', 'b-2'), severity: 'apocalyptic' }]),
        'VALIDATION',
      )
      assert.equal((await desk.listAlarms(noc, { resourceType: 'batch' })).total, before)
      const ok = await desk.ingestBatch(noc, [event('device.down', 'batch', 'b-1'), event('device.down', 'batch', 'b-2')])
      assert.equal(ok.created, 2)
      assert.equal((await desk.listAlarms(noc, { resourceType: 'batch' })).total, before + 2)
    })

    it('correlates an ONT under its OLT with a stored rule and topology', async () => {
      const rule = await desk.createRule(noc, OLT_RULE)
      assert.equal(rule.rule.name, 'OLT to ONT Correlation')
      assert.equal((await desk.listRules(noc)).length, 1)
      const changed = await desk.updateRule(noc, rule.id, { ...OLT_RULE, time_window: 600 })
      assert.equal(changed.rule.time_window, 600)
      assert.equal(await desk.addTopologyEdges(noc, [{ parent: 'olt-7', child: 'ont-71' }]), 1)
      const parent = await desk.ingest(noc, event('device.down', 'olt', 'olt-7', { severity: 'critical', title: 'OLT 7 down' }))
      const child = await desk.ingest(noc, event('signal.loss', 'ont', 'ont-71', { title: 'ONT 71 LOS', severity: 'major' }))
      const p = await desk.getAlarm(noc, parent.alarmIds[0])
      const c = await desk.getAlarm(noc, child.alarmIds[0])
      assert.equal(c.parentAlarmId, p.id)
      assert.equal(c.status, 'suppressed')
      assert.equal(p.isRootCause, true)
      assert.deepEqual((await desk.alarmChildren(noc, p.id)).map((a) => a.id), [c.id])
      assert.ok(c.correlationId)
      const group = await desk.correlationGroup(noc, c.correlationId)
      assert.deepEqual(group.map((a) => a.id).sort(), [p.id, c.id].sort())
      const roots = await desk.listAlarms(noc, { rootCauseOnly: true })
      assert.ok(roots.items.some((a) => a.id === p.id))
      assert.equal(await desk.removeTopologyEdges(noc, [{ parent: 'olt-7', child: 'ont-71' }]), 1)
      await desk.deleteRule(noc, rule.id)
      assert.deepEqual(await desk.listRules(noc), [])
      await rejectsWith(desk.deleteRule(noc, rule.id), 'NOT_FOUND', `Rule ${rule.id} not found`)
      await rejectsWith(desk.createRule(noc, { name: 'broken' }), 'VALIDATION')
    })

    it('maintenance windows suppress alarms in scope until cancelled', async () => {
      const now = Date.now()
      const w = await desk.createMaintenanceWindow(noc, {
        title: 'Splicing on cabinet 4',
        start: new Date(now - 60_000),
        end: new Date(now + 3_600_000),
        scope: { resources: ['cab-4'] },
      })
      assert.equal(w.scope.resources[0], 'cab-4')
      assert.equal((await desk.listMaintenanceWindows(noc)).length, 1)
      const out = await desk.ingest(noc, event('device.down', 'cabinet', 'cab-4'))
      assert.equal((await desk.getAlarm(noc, out.alarmIds[0])).status, 'suppressed')
      const cancelled = await desk.cancelMaintenanceWindow(noc, w.id)
      assert.equal(cancelled.status, 'cancelled')
      assert.notEqual((await desk.getAlarm(noc, out.alarmIds[0])).status, 'suppressed')
      await rejectsWith(
        desk.createMaintenanceWindow(noc, { title: 'bad', start: new Date(now), end: new Date(now - 1), scope: { resources: ['x'] } }),
        'VALIDATION',
      )
    })

    it('seed 000: creates a ticket from an alarm with the exact texts, once', async () => {
      const out = await desk.ingest(noc, event('port_down', 'device', 'router-001', {
        severity: 'critical', title: 'Port down', externalAlarmId: 'ALM-2024-001234',
      }))
      const id = out.alarmIds[0]
      await rejectsWith(
        desk.createTicketFromAlarm(viewer, id),
        'PERMISSION_DENIED',
        'Permission denied. Required permission: faults.alarms.write',
      )
      const res = await desk.createTicketFromAlarm(noc, id, { additionalNotes: 'VIP customer affected.' })
      assert.equal(res.alarmId, id)
      assert.equal(res.message, `Ticket ${res.ticketNumber} created successfully from alarm`)
      const t = await desk.getTicket(noc, res.ticketId)
      assert.equal(t.subject, '[ALARM] Port down')
      assert.equal(t.priority, 'critical')
      assert.equal(t.ticketType, 'fault')
      assert.equal(t.metadata.created_from_alarm, true)
      assert.equal(t.metadata.external_alarm_id, 'ALM-2024-001234')
      assert.ok(t.description.includes('VIP customer affected.'))
      assert.equal((await desk.getAlarm(noc, id)).ticketId, res.ticketId)
      await rejectsWith(
        desk.createTicketFromAlarm(noc, id),
        'CONFLICT',
        `Alarm ${id} already has ticket ${res.ticketId}. Please update the existing ticket instead.`,
      )
      const missing = '3fa85f64-5717-4562-b3fc-2c963f66afa6'
      await rejectsWith(desk.createTicketFromAlarm(noc, missing), 'NOT_FOUND', `Alarm ${missing} not found`)
    })

    it('statistics, the unacknowledged check and archiving', async () => {
      const old = await desk.ingest(noc, event('device.down', 'olt', 'olt-unack', { severity: 'critical' }, 30))
      const findings = await desk.checkUnacknowledged(noc)
      const f = findings.find((x) => x.alarmId === old.alarmIds[0])
      assert.ok(f, 'the 30-minute-old critical alarm is reported')
      assert.equal(f.event, 'alarm.unacknowledged.manual_action_required')
      assert.ok(f.ageMinutes >= 29)
      const stats = await desk.alarmStats(noc)
      assert.ok(stats.total >= 1)
      assert.ok(stats.bySeverity.critical >= 1)
      assert.equal(typeof (await desk.archiveCleared(noc, 0)), 'number')
      await rejectsWith(desk.archiveCleared(noc, -1), 'VALIDATION')
    })

    it('lists with filters and pages; bad filters are VALIDATION', async () => {
      const page = await desk.listAlarms(noc, { severity: ['critical'], pageSize: 2 })
      assert.ok(page.items.length <= 2)
      assert.ok(page.items.every((a) => a.severity === 'critical' || a.raisedSeverity === 'critical'))
      await rejectsWith(desk.listAlarms(noc, { severity: ['loud'] }), 'VALIDATION')
      await rejectsWith(desk.listAlarms(noc, { pageSize: 1000 }), 'VALIDATION')
    })
  })
}
