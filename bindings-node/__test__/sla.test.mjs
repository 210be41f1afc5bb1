// The availability SLA service through the Node binding, on each backend: definitions and
// instances (CRUD, validation, permissions), outages from ingested alarms with exact figures,
// the breach recorded once, credits as decimal strings, compliance reports, performance
// measurements, and bad input rejected with a typed code and nothing stored.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { backends, actor, rejectsWith } from './helpers.mjs'

const ENTERPRISE = {
  name: 'Enterprise Fiber 99.9%',
  service_type: 'fiber',
  availability_target: '0.999',
  measurement_period: { kind: 'calendar_month' },
  credit_schedule: {
    tiers: [
      { below_percent: '99.9', credit_percent: '10' },
      { below_percent: '99.5', credit_percent: '25' },
    ],
    cap_percent: '50',
  },
  monthly_fee: '1234.25',
}

const PERFORMANCE = {
  name: 'Fibre performance',
  availability_target: '0.999',
  measurement_period: { kind: 'calendar_month' },
  performance: { max_latency_ms: '10', max_packet_loss_percent: '0.5', min_bandwidth_mbps: '900' },
  credit_schedule: { tiers: [], performance_breach_percent: '5' },
  monthly_fee: '1000',
}

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
// An explicit 30-day period around now: 43,200 measured minutes, 43.2 allowed at 99.9 %.
const NOW = Math.floor(Date.now() / 1000) * 1000
const PERIOD = { start: new Date(NOW - DAY), end: new Date(NOW + 29 * DAY) }

/** A major device.down on `rid` at `start`, cleared by device.up `minutes` later. */
async function outage(desk, who, rid, start, minutes) {
  const base = { source: 'network_device', resourceType: 'olt', resourceId: rid }
  await desk.ingest(who, { ...base, eventType: 'device.down', severity: 'major', title: `OLT ${rid} down`, occurredAt: new Date(start) })
  await desk.ingest(who, { ...base, eventType: 'device.up', occurredAt: new Date(start + minutes * MIN) })
}

for (const backend of backends()) {
  describe(`availability SLA on ${backend.name}`, () => {
    let ctx, desk
    const tenant = () => `t-${randomUUID()}`
    const manager = (t) => actor(t, 'sla-mgr', ['SLA_MANAGER'])
    const nobody = (t) => actor(t, 'nobody', [])
    before(async () => {
      ctx = await backend.open()
      desk = ctx.desk
    })
    after(async () => ctx.cleanup())

    it('definitions: CRUD, a JSON string, validation, permissions and tenancy', async () => {
      const t = tenant()
      const mgr = manager(t)
      const d = await desk.createSlaDefinition(mgr, ENTERPRISE)
      assert.match(d.id, /^[0-9a-f-]{36}$/)
      assert.equal(d.definition.name, 'Enterprise Fiber 99.9%')
      assert.equal(d.enabled, true)
      assert.ok(d.createdAt instanceof Date)
      assert.deepEqual(await desk.getSlaDefinition(mgr, d.id), d)
      assert.deepEqual((await desk.listSlaDefinitions(mgr)).map((x) => x.id), [d.id])
      const renamed = await desk.updateSlaDefinition(mgr, d.id, JSON.stringify({ ...ENTERPRISE, name: 'Gold' }))
      assert.equal(renamed.id, d.id)
      assert.equal(renamed.definition.name, 'Gold')

      await rejectsWith(desk.createSlaDefinition(mgr, { ...ENTERPRISE, availability_target: '1.5' }), 'VALIDATION', /availability_target/)
      await rejectsWith(desk.createSlaDefinition(mgr, { ...ENTERPRISE, no_such_key: 1 }), 'VALIDATION')
      await rejectsWith(desk.createSlaDefinition(mgr, 'not json'), 'VALIDATION')
      await rejectsWith(desk.updateSlaDefinition(mgr, d.id, { ...ENTERPRISE, measurement_period: { kind: 'fortnight' } }), 'VALIDATION')
      await rejectsWith(desk.getSlaDefinition(mgr, 'not-a-uuid'), 'VALIDATION', "id must be a UUID, got 'not-a-uuid'")
      await rejectsWith(desk.createSlaDefinition(nobody(t), ENTERPRISE), 'PERMISSION_DENIED', /faults\.sla\.write/)
      await rejectsWith(desk.listSlaDefinitions(nobody(t)), 'PERMISSION_DENIED')
      // Nothing of the refused calls was stored (the update too); another tenant sees nothing.
      const defs = await desk.listSlaDefinitions(mgr)
      assert.equal(defs.length, 1)
      assert.equal(defs[0].definition.name, 'Gold')
      const other = manager(tenant())
      assert.deepEqual(await desk.listSlaDefinitions(other), [])
      await rejectsWith(desk.getSlaDefinition(other, d.id), 'NOT_FOUND', `SLA definition ${d.id} not found`)

      await desk.deleteSlaDefinition(mgr, d.id)
      await rejectsWith(desk.getSlaDefinition(mgr, d.id), 'NOT_FOUND')
      await rejectsWith(desk.deleteSlaDefinition(mgr, d.id), 'NOT_FOUND')
    })

    it('outages from alarms: exact figures, the breach recorded once, credits and the report', async () => {
      const t = tenant()
      const mgr = manager(t)
      const admin = actor(t, 'admin', ['ADMIN'])
      const d = await desk.createSlaDefinition(mgr, ENTERPRISE)
      const inst = await desk.createSlaInstance(mgr, {
        definitionId: d.id, customerId: 'cust-1', resourceIds: ['olt-b', 'olt-a'], period: PERIOD, currency: 'EUR',
      })
      assert.deepEqual(inst.period, PERIOD)
      assert.deepEqual(inst.scope, { customerId: 'cust-1', serviceId: null, resourceIds: ['olt-a', 'olt-b'] })
      assert.equal(inst.monthlyFee, '1234.25')
      assert.equal(inst.currency, 'EUR')
      assert.equal(inst.status, 'active')
      assert.equal(inst.definitionId, d.id)
      assert.equal(inst.definition.name, ENTERPRISE.name)

      // 30 minutes down: compliant (13.2 of 43.2 allowed minutes left).
      await outage(desk, admin, 'olt-a', NOW - 5 * HOUR, 30)
      let s = await desk.slaStatus(admin, inst.id)
      assert.equal(s.instance.id, inst.id)
      assert.equal(s.status.instanceId, inst.id)
      assert.equal(s.status.measuredMs, 43_200 * MIN)
      assert.equal(s.status.unplannedDowntimeMs, 30 * MIN)
      assert.equal(s.status.plannedDowntimeMs, 0)
      assert.equal(s.status.openOutages, 0)
      assert.equal(s.status.compliance, 'compliant')
      assert.equal(s.status.availabilityTarget, '0.999')
      assert.ok(Math.abs(Number(s.status.availability) - 43_170 / 43_200) < 1e-12)
      assert.equal(Number(s.status.creditsOwed), 0)
      assert.deepEqual(s.status.breaches, [])
      assert.ok(s.status.asOf instanceof Date)

      // 30 more on the other resource: 60 of 43.2 allowed minutes: breached, 10 % of the fee
      // owed (123.425 rounded half-even to cents).
      await outage(desk, admin, 'olt-b', NOW - 3 * HOUR, 30)
      s = await desk.slaStatus(admin, inst.id)
      assert.equal(s.status.compliance, 'breached')
      assert.equal(s.status.unplannedDowntimeMs, 60 * MIN)
      assert.equal(Number(s.status.creditPercent), 10)
      assert.equal(s.status.creditsOwed, '123.42')
      assert.equal(s.status.breachCount, 1)
      const [breach] = s.status.breaches
      assert.equal(breach.kind, 'availability')
      assert.equal(breach.key, 'availability')
      assert.equal(breach.unit, 'ratio')
      assert.equal(breach.metric, null)
      assert.ok(breach.start instanceof Date)

      // The alarm change recorded the breach, once.
      const recs = await desk.listSlaBreaches(admin, { instanceId: inst.id })
      assert.equal(recs.length, 1)
      assert.equal(recs[0].instanceId, inst.id)
      assert.equal(recs[0].breachType, 'availability')
      assert.equal(recs[0].breachKey, 'availability')
      assert.equal(typeof recs[0].details, 'object')
      assert.deepEqual((await desk.listSlaBreaches(admin)).map((r) => r.id), [recs[0].id])
      const stored = await desk.getSlaInstance(admin, inst.id)
      assert.equal(stored.status, 'breached')
      assert.equal(stored.breachCount, 1)
      assert.equal(stored.creditAmount, '123.42')
      assert.deepEqual(await desk.listSlaBreaches(admin, { from: new Date(NOW), to: new Date(NOW + DAY) }), [])

      // A fee change recomputes the credits; a number is accepted as well as a string.
      const cheaper = await desk.updateSlaInstance(mgr, inst.id, { monthlyFee: '1000.00', metadata: { tier: 'gold' } })
      assert.equal(cheaper.monthlyFee, '1000.00')
      assert.equal(cheaper.creditAmount, '100.00')
      assert.deepEqual(cheaper.metadata, { tier: 'gold' })
      assert.equal((await desk.updateSlaInstance(mgr, inst.id, { monthlyFee: 1000 })).creditAmount, '100.00')

      const report = await desk.slaComplianceReport(admin, { from: PERIOD.start, to: PERIOD.end, customerId: 'cust-1' })
      assert.deepEqual(report.range, PERIOD)
      assert.equal(report.totals.instanceCount, 1)
      assert.equal(report.totals.breached, 1)
      assert.equal(report.totals.totalBreaches, 1)
      assert.equal(report.totals.totalCredits, '100.00')
      assert.equal(report.totals.unplannedDowntimeMs, 60 * MIN)
      assert.equal(report.instances.length, 1)
      assert.equal(report.instances[0].definitionName, ENTERPRISE.name)
      assert.equal(report.instances[0].status.compliance, 'breached')
      const empty = await desk.slaComplianceReport(admin, { from: PERIOD.start, to: PERIOD.end, customerId: 'cust-none' })
      assert.equal(empty.totals.instanceCount, 0)
      assert.equal(empty.totals.averageAvailability, null)
      await rejectsWith(desk.slaComplianceReport(admin, { from: PERIOD.end, to: PERIOD.start }), 'VALIDATION', /^Invalid report range/)
    })

    it('instances: batch all or nothing, list filters, validation leaves storage unchanged', async () => {
      const t = tenant()
      const mgr = manager(t)
      const d = await desk.createSlaDefinition(mgr, ENTERPRISE)
      const made = await desk.createSlaInstances(mgr, [
        { definitionId: d.id, customerId: 'c-1', period: PERIOD },
        { definitionId: d.id, customerId: 'c-2', serviceId: 'svc-2', at: new Date(NOW) },
      ])
      assert.deepEqual(made.map((i) => i.scope.customerId), ['c-1', 'c-2'])
      assert.equal(made[1].scope.serviceId, 'svc-2')
      const page = await desk.listSlaInstances(mgr, { customerId: 'c-2' })
      assert.equal(page.total, 1)
      assert.equal(page.items[0].id, made[1].id)
      assert.equal(page.page, 1)
      assert.equal(page.nextCursor, null)
      assert.equal((await desk.listSlaInstances(mgr, { status: ['active'], pageSize: 1 })).total, 2)
      assert.equal((await desk.listSlaInstances(mgr, { status: ['active'], pageSize: 1 })).items.length, 1)
      assert.equal((await desk.listSlaInstances(mgr, { definitionId: d.id })).total, 2)
      assert.equal((await desk.listSlaInstances(mgr, { from: PERIOD.start, to: PERIOD.end })).total, 2)
      assert.equal((await desk.listSlaInstances(mgr)).total, 2)

      const count = async () => (await desk.listSlaInstances(mgr)).total
      // All or nothing: the second input names an unknown definition.
      await rejectsWith(
        desk.createSlaInstances(mgr, [
          { definitionId: d.id, customerId: 'c-3', period: PERIOD },
          { definitionId: randomUUID(), customerId: 'c-4', period: PERIOD },
        ]),
        'NOT_FOUND',
      )
      await rejectsWith(
        desk.createSlaInstances(mgr, [
          { definitionId: d.id, customerId: 'c-3', period: PERIOD },
          { definitionId: 'nope', customerId: 'c-4', period: PERIOD },
        ]),
        'VALIDATION',
        "SLA instance 1: definitionId must be a UUID, got 'nope'",
      )
      await rejectsWith(desk.createSlaInstances(mgr, []), 'VALIDATION')
      await rejectsWith(desk.createSlaInstance(mgr, { definitionId: d.id, customerId: 'c-5', monthlyFee: 'lots' }), 'VALIDATION', "monthlyFee must be a decimal number, got 'lots'")
      await rejectsWith(desk.createSlaInstance(mgr, { definitionId: d.id, customerId: 'c-5', monthlyFee: '-1' }), 'VALIDATION')
      await rejectsWith(desk.createSlaInstance(mgr, { definitionId: d.id, customerId: 'c-5', period: { start: PERIOD.end, end: PERIOD.start } }), 'VALIDATION')
      await rejectsWith(desk.createSlaInstance(mgr, { definitionId: d.id, customerId: 'c-6', at: new Date(NOW), period: PERIOD }), 'VALIDATION')
      await rejectsWith(desk.createSlaInstance(nobody(t), { definitionId: d.id, customerId: 'c-7' }), 'PERMISSION_DENIED')
      assert.equal(await count(), 2, 'nothing of the refused calls was stored')
      await rejectsWith(desk.listSlaInstances(mgr, { status: ['sleeping'] }), 'VALIDATION', /Invalid SLA instance status 'sleeping'/)
      await rejectsWith(desk.listSlaInstances(mgr, { from: PERIOD.start }), 'VALIDATION')
      await rejectsWith(desk.listSlaInstances(mgr, { pageSize: 101 }), 'VALIDATION')
      await rejectsWith(desk.listSlaInstances(mgr, { definitionId: 'x' }), 'VALIDATION')

      const before = await desk.getSlaInstance(mgr, made[0].id)
      await rejectsWith(desk.updateSlaInstance(mgr, made[0].id, { monthlyFee: 'free' }), 'VALIDATION')
      await rejectsWith(desk.updateSlaInstance(mgr, made[0].id, { currency: 'euro' }), 'VALIDATION')
      await rejectsWith(desk.updateSlaInstance(mgr, made[0].id, { metadata: [1, 2] }), 'VALIDATION')
      assert.deepEqual(await desk.getSlaInstance(mgr, made[0].id), before, 'refused updates change nothing')

      const missing = randomUUID()
      await rejectsWith(desk.slaStatus(mgr, missing), 'NOT_FOUND', `SLA instance ${missing} not found`)
      await rejectsWith(desk.listSlaBreaches(mgr, { instanceId: missing }), 'NOT_FOUND')
      await rejectsWith(desk.getSlaInstance(manager(tenant()), made[0].id), 'NOT_FOUND')

      await desk.deleteSlaInstance(mgr, made[0].id)
      assert.equal(await count(), 1)
      await rejectsWith(desk.deleteSlaInstance(mgr, made[0].id), 'NOT_FOUND')
    })

    it('performance measurements open and end one breach; bad samples store nothing', async () => {
      const t = tenant()
      const mgr = manager(t)
      const d = await desk.createSlaDefinition(mgr, PERFORMANCE)
      const inst = await desk.createSlaInstance(mgr, { definitionId: d.id, customerId: 'cust-9', period: PERIOD })
      const at = (h) => new Date(NOW - (10 - h) * HOUR)
      // Within target, then beyond it twice (given out of order: sorted by time).
      let stored = await desk.recordSlaMeasurements(mgr, inst.id, [
        { at: at(3), latencyMs: '14.5' },
        { at: at(1), latencyMs: 8 },
        { at: at(2), latencyMs: '12' },
      ])
      assert.equal(stored.breachCount, 1)
      assert.equal(stored.creditAmount, '50.00')
      let b = await desk.listSlaBreaches(mgr)
      assert.equal(b.length, 1)
      assert.equal(b[0].breachType, 'performance')
      assert.deepEqual(b[0].breachStart, at(2))
      assert.equal(b[0].actualValue, '14.5')
      assert.equal(b[0].resolved, false)
      assert.equal(b[0].breachEnd, null)
      stored = await desk.recordSlaMeasurements(mgr, inst.id, [{ at: at(5), latencyMs: '9' }])
      assert.equal(stored.breachCount, 1)
      b = await desk.listSlaBreaches(mgr)
      assert.equal(b.length, 1)
      assert.deepEqual(b[0].breachEnd, at(5))
      assert.equal(b[0].resolved, true)

      const status = async () => (await desk.slaStatus(mgr, inst.id)).status
      const before = await status()
      const bad = [
        [[], /no measurements/],
        [[{ at: at(7) }], /at least one of/],
        [[{ at: at(7), packetLossPercent: '101' }], /at most 100/],
        [[{ at: at(7), latencyMs: 'fast' }], /Measurement 0: latencyMs must be a decimal number/],
        [[{ at: at(7), latencyMs: 1 }, { at: at(4), latencyMs: 1 }], /./],
        [[{ at: new Date(PERIOD.end.getTime() + HOUR), latencyMs: 1 }], /./],
      ]
      for (const [samples, message] of bad) {
        await rejectsWith(desk.recordSlaMeasurements(mgr, inst.id, samples), 'VALIDATION', message)
      }
      const after = await status()
      assert.deepEqual({ ...after, asOf: null }, { ...before, asOf: null }, 'bad samples change nothing')
      assert.equal((await desk.listSlaBreaches(mgr)).length, 1)
      await rejectsWith(desk.recordSlaMeasurements(mgr, randomUUID(), [{ at: at(7), latencyMs: 1 }]), 'NOT_FOUND')
      await rejectsWith(desk.recordSlaMeasurements(nobody(t), inst.id, [{ at: at(7), latencyMs: 1 }]), 'PERMISSION_DENIED')
    })

    it('runDue reports the availability SLA figures', async () => {
      const r = await desk.runDue()
      assert.equal(typeof r.slaInstances, 'number')
      assert.equal(typeof r.slaBreaches, 'number')
      assert.ok(Array.isArray(r.slaTickets))
    })
  })
}
