// The pure engines without a database, loaded with ESM `import` by package name.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  BusinessCalendar, Correlator, SlaPolicy, Workflow, mapSeverityToPriority, ticketTypeForAlarm, version,
} from 'faultdesk'
import * as fd from 'faultdesk'
import { OLT_RULE } from './helpers.mjs'

test('ESM import by name works', () => {
  assert.equal(typeof fd.Desk, 'function')
  assert.match(version(), /^\d+\.\d+\.\d+/)
})

test("seed 000's severity → priority and alarm type → ticket type", () => {
  assert.deepEqual(
    ['critical', 'major', 'minor', 'warning', 'info'].map(mapSeverityToPriority),
    ['critical', 'high', 'normal', 'low', 'low'],
  )
  assert.throws(() => mapSeverityToPriority('apocalyptic'), (e) => e.code === 'VALIDATION')
  assert.equal(ticketTypeForAlarm('fibre_outage'), 'outage')
  assert.equal(ticketTypeForAlarm('planned_maintenance'), 'maintenance')
  assert.equal(ticketTypeForAlarm('port_down'), 'fault')
})

test('correlator: de-duplicates, correlates an ONT under its OLT, clears', () => {
  const c = new Correlator({ rules: [OLT_RULE] }, 'isp')
  const t = new Date('2026-03-02T09:00:00Z')
  const at = (s) => new Date(t.getTime() + s * 1000)
  const p = c.ingest({ eventType: 'device.down', resourceType: 'olt', resourceId: 'olt-1', occurredAt: at(0) })
  assert.equal(p[0].kind, 'created')
  assert.equal(p[0].detail.alarm.resource_id, 'olt-1') // the full row, built from the event
  const again = c.ingest({ eventType: 'device.down', resourceType: 'olt', resourceId: 'olt-1', occurredAt: at(5) })
  assert.equal(again[0].kind, 'deduplicated')
  const ch = c.ingest({ eventType: 'signal.loss', resourceType: 'ont', resourceId: 'ont-1', severity: 'major', occurredAt: at(10) })
  assert.ok(ch.some((d) => d.kind === 'correlated'), JSON.stringify(ch.map((d) => d.kind)))
  assert.equal(c.activeCount, 2)
  assert.equal(c.eventsIngested, 3)
  const cl = c.ingest({ eventType: 'device.up', resourceType: 'olt', resourceId: 'olt-1', occurredAt: at(60) })
  assert.ok(cl.some((d) => d.kind === 'cleared' && d.alarmId === p[0].alarmId))
  const batch = c.ingestBatch([
    { eventType: 'device.down', resourceType: 'olt', resourceId: 'olt-2', occurredAt: at(70) },
    { eventType: 'device.down', resourceType: 'olt', resourceId: 'olt-3', occurredAt: at(70) },
  ])
  assert.deepEqual(
    batch.decisions.filter((d) => d.kind === 'created').map((d) => d.detail.alarm.resource_id),
    ['olt-2', 'olt-3'],
  )
  assert.deepEqual(batch.errors, [])
  assert.throws(
    () => c.ingestBatch([{ eventType: 'device.down', resourceId: 'x', severity: 'loud', occurredAt: at(70) }]),
    (e) => e.code === 'VALIDATION' && /Invalid severity 'loud'/.test(e.message),
  )
  assert.throws(() => new Correlator({ rules: [{ name: 'x' }] }), (e) => e.code === 'VALIDATION')
  assert.throws(() => c.ingest({ eventType: 'device.down', severity: 'loud', occurredAt: at(80) }), (e) => e.code === 'VALIDATION')
})

test('workflow presets and transitions', () => {
  const wf = new Workflow('fibreflow')
  assert.equal(wf.name, 'fibreflow')
  assert.equal(wf.initialState, 'pending')
  assert.deepEqual(wf.states, ['pending', 'in_progress', 'closed'])
  assert.deepEqual(wf.allowedTransitions('pending'), ['in_progress', 'closed'])
  assert.equal(wf.canTransition('closed', 'pending'), false)
  assert.equal(wf.requiredPermission('in_progress', 'closed'), 'tickets.close')
  assert.equal(wf.categoryOf('in_progress'), 'open')
  const again = Workflow.fromDefinition(JSON.parse(wf.toJson()))
  assert.deepEqual(again.states, wf.states)
  assert.throws(() => new Workflow('nope'), (e) => e.code === 'VALIDATION')
})

test('business calendar arithmetic', () => {
  const cal = new BusinessCalendar({ timezone: 'Europe/Berlin', week: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] } })
  assert.equal(cal.timezone, 'Europe/Berlin')
  const monday16 = new Date('2026-03-02T15:00:00Z') // 16:00 in Berlin
  assert.equal(cal.isWorking(monday16), true)
  const due = cal.addBusinessTime(monday16, 2 * 3600)
  assert.equal(due.toISOString(), '2026-03-03T09:00:00.000Z') // Tue 10:00 Berlin
  assert.equal(cal.businessTimeBetween(monday16, due), 7200)
  assert.equal(BusinessCalendar.always().isWorking(new Date('2026-03-08T03:00:00Z')), true)
  assert.throws(() => cal.addBusinessTime(monday16, -1), (e) => e.code === 'VALIDATION')
  assert.throws(() => new BusinessCalendar({ timezone: 'Mars/Olympus' }), (e) => e.code === 'VALIDATION')
})

test('SLA policy evaluation', () => {
  const p = new SlaPolicy('itsm')
  const t0 = new Date('2026-03-02T09:00:00Z')
  const s = p.evaluate([{ at: t0, kind: 'created', priority: 'critical', category: 'new' }], new Date(t0.getTime() + 60_000))
  assert.equal(s.priority, 'critical')
  assert.equal(s.firstResponse.breached, false)
  assert.ok(s.firstResponse.due > t0)
  const late = p.evaluate([{ at: t0, kind: 'created', priority: 'critical', category: 'new' }], new Date(t0.getTime() + 30 * 86_400_000))
  assert.equal(late.firstResponse.breached, true)
  assert.ok(late.firstResponse.breachedAt instanceof Date)
  assert.throws(() => p.evaluate([{ at: t0, kind: 'created' }]), (e) => e.code === 'VALIDATION')
  assert.throws(() => new SlaPolicy('gold'), (e) => e.code === 'VALIDATION')
})
