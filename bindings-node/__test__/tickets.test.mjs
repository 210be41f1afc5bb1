// Ticket, comment, history and attachment use-cases through the Node binding, on each backend.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { backends, actor, rejectsWith } from './helpers.mjs'

for (const backend of backends()) {
  describe(`tickets on ${backend.name}`, () => {
    let ctx, desk
    const lead = actor('fibreflow', 'lead-1', ['TEAM_LEAD'])
    const admin = actor('fibreflow', 'admin-1', ['ADMIN'])
    const endUser = actor('fibreflow', 'contractor-7', ['END_USER'])
    before(async () => {
      ctx = await backend.open({ workflow: 'fibreflow', slaPolicy: 'itsm' })
      desk = ctx.desk
    })
    after(async () => ctx.cleanup())

    it('creates a ticket with a number, labels, Date instants and null for absent values', async () => {
      const t = await desk.createTicket(lead, {
        subject: 'Fibre cut on Main St',
        priority: 'high',
        labels: { contractor_id: 'c-9', project_id: 'p-2' },
      })
      assert.match(t.id, /^[0-9a-f-]{36}$/)
      assert.match(t.number, /^TKT-\d{4}-\d{6}$/)
      assert.equal(t.status, 'pending')
      assert.equal(t.workflow, 'fibreflow')
      assert.equal(t.priority, 'high')
      assert.equal(t.reporterId, 'lead-1')
      assert.deepEqual(t.labels, { contractor_id: 'c-9', project_id: 'p-2' })
      assert.ok(t.createdAt instanceof Date)
      assert.ok(Object.hasOwn(t, 'assigneeId'), 'absent values are present keys')
      assert.equal(t.assigneeId, null)
      assert.equal(t.dueAt, null)
      assert.deepEqual(t.metadata, {})
      const again = await desk.getTicket(lead, t.id)
      assert.deepEqual(again, t)
      assert.deepEqual(await desk.getTicketByNumber(lead, t.number), t)
    })

    it('updates with PATCH semantics: absent keeps, null clears, audit per change', async () => {
      const due = new Date('2030-01-02T03:04:05.000Z')
      const t = await desk.createTicket(lead, {
        subject: 'Splice closure damaged',
        assigneeId: 'tech-1',
        customerId: 'cust-1',
        dueAt: due,
        labels: { contractor_id: 'c-1', keep: 'yes' },
      })
      assert.equal(t.dueAt.getTime(), due.getTime())
      const u = await desk.updateTicket(lead, t.id, {
        priority: 'critical',
        customerId: null,
        labels: { contractor_id: 'c-2', keep: null },
      })
      assert.equal(u.priority, 'critical')
      assert.equal(u.customerId, null)
      assert.equal(u.assigneeId, 'tech-1', 'absent key keeps the value')
      assert.equal(u.dueAt.getTime(), due.getTime())
      assert.deepEqual(u.labels, { contractor_id: 'c-2' })
      const cleared = await desk.updateTicket(lead, t.id, { dueAt: null, assigneeId: null })
      assert.equal(cleared.dueAt, null)
      assert.equal(cleared.assigneeId, null)
      const history = await desk.ticketHistory(lead, t.id)
      assert.equal(history[0].eventType, 'CREATED')
      assert.ok(history.some((h) => h.field === 'priority' && h.newValue === 'critical'))
      assert.ok(history.every((h) => h.at instanceof Date && h.ip === '10.0.0.2'))
    })

    it('assigns, transitions through the FibreFlow workflow and records status history', async () => {
      const t = await desk.createTicket(lead, { subject: 'ONT offline' })
      const a = await desk.assignTicket(lead, t.id, 'tech-2')
      assert.equal(a.assigneeId, 'tech-2')
      const p = await desk.transitionTicket(lead, t.id, 'in_progress', { comment: 'on site' })
      assert.equal(p.status, 'in_progress')
      assert.ok(p.firstRespondedAt instanceof Date)
      const c = await desk.transitionTicket(lead, t.id, 'closed')
      assert.equal(c.status, 'closed')
      assert.ok(c.closedAt instanceof Date)
      await rejectsWith(desk.transitionTicket(lead, t.id, 'in_progress'), 'INVALID_TRANSITION')
      const statuses = (await desk.ticketHistory(lead, t.id))
        .filter((h) => h.field === 'status')
        .map((h) => [h.oldValue, h.newValue])
      assert.deepEqual(statuses, [
        ['pending', 'in_progress'],
        ['in_progress', 'closed'],
      ])
      const un = await desk.assignTicket(lead, t.id, null)
      assert.equal(un.assigneeId, null)
    })

    it('lists open tickets by contractor ordered by priority and age, with pages and cursors', async () => {
      const mk = (subject, priority, contractor) =>
        desk.createTicket(lead, { subject, priority, labels: { contractor_id: contractor } })
      const low = await mk('low one', 'low', 'c-list')
      const crit = await mk('critical one', 'critical', 'c-list')
      const high1 = await mk('high older', 'high', 'c-list')
      const high2 = await mk('high newer', 'high', 'c-list')
      await mk('other contractor', 'critical', 'c-other')
      const closed = await mk('closed one', 'critical', 'c-list')
      await desk.transitionTicket(lead, closed.id, 'closed')
      const page = await desk.listTickets(lead, {
        openOnly: true,
        labels: { contractor_id: 'c-list' },
        sort: ['-priority', '-createdAt'],
        pageSize: 50,
      })
      assert.deepEqual(
        page.items.map((t) => t.id),
        [crit.id, high2.id, high1.id, low.id],
      )
      assert.equal(page.total, 4)
      assert.equal(page.page, 1)
      assert.equal(page.nextCursor, null)
      const p1 = await desk.listTickets(lead, { openOnly: true, labels: { contractor_id: 'c-list' }, pageSize: 3 })
      assert.equal(p1.items.length, 3)
      assert.equal(typeof p1.nextCursor, 'string')
      const p2 = await desk.listTickets(lead, {
        openOnly: true,
        labels: { contractor_id: 'c-list' },
        pageSize: 3,
        cursor: p1.nextCursor,
      })
      assert.deepEqual(p2.items.map((t) => t.id), [low.id])
      const byStatus = await desk.listTickets(lead, { status: ['CLOSED'], labels: { contractor_id: 'c-list' } })
      assert.deepEqual(byStatus.items.map((t) => t.id), [closed.id])
      await rejectsWith(desk.listTickets(lead, { pageSize: 101 }), 'VALIDATION')
      await rejectsWith(desk.listTickets(lead, { sort: ['-secret_column'] }), 'VALIDATION')
    })

    it('searches and counts', async () => {
      await desk.createTicket(lead, { subject: 'Manhole flooded at Oak Ave', description: 'water ingress' })
      const hits = await desk.searchTickets(lead, 'manhole')
      assert.ok(hits.items.length >= 1)
      assert.ok(hits.items[0].ticket.subject.includes('Manhole'))
      assert.equal(typeof hits.items[0].rank, 'number')
      const stats = await desk.ticketStats(lead, { labels: { contractor_id: 'c-list' } })
      assert.equal(stats.total, 5)
      assert.equal(stats.open, 4)
      assert.equal(stats.byPriority.critical, 2)
      await rejectsWith(desk.searchTickets(lead, '   '), 'VALIDATION')
    })

    it('comments: public and internal, edit history, visibility for end users, delete', async () => {
      const t = await desk.createTicket(endUser, { subject: 'My line is down' })
      const c1 = await desk.addComment(endUser, t.id, 'Still down this morning')
      assert.equal(c1.visibility, 'public')
      assert.equal(c1.editedAt, null)
      const c2 = await desk.addComment(lead, t.id, 'Crew dispatched, splice pending', 'internal')
      assert.equal(c2.visibility, 'internal')
      await rejectsWith(desk.addComment(endUser, t.id, 'sneaky', 'internal'), 'PERMISSION_DENIED')
      const edited = await desk.editComment(endUser, c1.id, 'Still down this morning (since 6am)')
      assert.ok(edited.editedAt instanceof Date)
      assert.equal(edited.history[0].body, 'Still down this morning')
      const got = await desk.getComment(lead, c1.id)
      assert.equal(got.body, 'Still down this morning (since 6am)')
      assert.deepEqual(got.history.map((h) => h.body), ['Still down this morning'])
      assert.equal((await desk.getComment(lead, c2.id)).visibility, 'internal')
      await rejectsWith(desk.getComment(endUser, c2.id), 'NOT_FOUND', `Comment ${c2.id} not found`)
      await rejectsWith(desk.getComment(lead, 'not-a-uuid'), 'VALIDATION', /commentId must be a UUID/)
      assert.deepEqual((await desk.listComments(lead, t.id)).map((c) => c.id), [c1.id, c2.id])
      assert.deepEqual((await desk.listComments(endUser, t.id)).map((c) => c.id), [c1.id])
      await rejectsWith(desk.addComment(lead, t.id, '   '), 'VALIDATION')
      await rejectsWith(desk.deleteComment(endUser, c2.id), 'NOT_FOUND', /not found/)
      await desk.deleteComment(lead, c2.id)
      const moderated = await desk.listComments(lead, t.id)
      assert.ok(moderated.find((c) => c.id === c2.id).deletedAt instanceof Date, 'moderators see the deletion')
      assert.equal(moderated.find((c) => c.id === c1.id).deletedAt, null)
      assert.deepEqual((await desk.listComments(endUser, t.id)).map((c) => c.id), [c1.id])
    })

    it('attachments: add, list, open (bytes and SHA-256), delete, allowlist', async () => {
      const t = await desk.createTicket(lead, { subject: 'Photo of the damage' })
      const bytes = Buffer.from('%PDF-1.4 splice report')
      const a = await desk.addAttachment(lead, t.id, { fileName: 'report.pdf' }, bytes)
      assert.equal(a.sizeBytes, bytes.length)
      assert.equal(a.commentId, null)
      assert.match(a.sha256, /^[0-9a-f]{64}$/)
      assert.deepEqual((await desk.listAttachments(lead, t.id)).map((x) => x.id), [a.id])
      const opened = await desk.openAttachment(lead, a.id)
      assert.ok(Buffer.isBuffer(opened.content))
      assert.equal(opened.content.toString(), bytes.toString())
      await rejectsWith(desk.addAttachment(lead, t.id, { fileName: 'evil.exe' }, bytes), 'VALIDATION')
      const sneaky = await desk.addAttachment(lead, t.id, { fileName: '../../etc/passwd.pdf' }, bytes)
      assert.ok(!sneaky.fileName.includes('/'), `stored name has no path: ${sneaky.fileName}`)
      await desk.deleteAttachment(lead, sneaky.id)
      await desk.deleteAttachment(lead, a.id)
      assert.deepEqual(await desk.listAttachments(lead, t.id), [])
      await rejectsWith(desk.openAttachment(lead, a.id), 'NOT_FOUND')
    })

    it('collectOrphanBlobs removes unreferenced content and abandoned uploads past the grace period', async () => {
      const orphans = actor('orphans', 'lead-o', ['TEAM_LEAD'])
      const t = await desk.createTicket(orphans, { subject: 'keeps its file' })
      const kept = await desk.addAttachment(orphans, t.id, { fileName: 'keep.txt' }, Buffer.from('keep'))
      // Content without an attachment row (a metadata write that failed) and a temp upload.
      const lost = join(ctx.blobDir, 'orphans', 'ff', 'f'.repeat(64))
      const tmp = join(ctx.blobDir, 'orphans', 'tmp', 'abandoned')
      for (const f of [lost, tmp]) {
        mkdirSync(join(f, '..'), { recursive: true })
        writeFileSync(f, 'stray')
      }
      assert.deepEqual(await desk.collectOrphanBlobs('orphans', 3600), { contentRemoved: 0, tempRemoved: 0 }, 'young objects stay')
      const dayAgo = new Date(Date.now() - 86_400_000)
      for (const f of [lost, tmp]) utimesSync(f, dayAgo, dayAgo)
      assert.deepEqual(await desk.collectOrphanBlobs('orphans', 3600), { contentRemoved: 1, tempRemoved: 1 })
      assert.ok(!existsSync(lost) && !existsSync(tmp))
      assert.equal((await desk.openAttachment(orphans, kept.id)).content.toString(), 'keep')
      await rejectsWith(desk.collectOrphanBlobs(' ', 3600), 'VALIDATION')
      await rejectsWith(desk.collectOrphanBlobs('orphans', -1), 'VALIDATION', /graceSeconds/)
    })

    it('SLA: ticketSla evaluates the policy over the audit log', async () => {
      const t = await desk.createTicket(lead, { subject: 'SLA clock', priority: 'critical' })
      const s = await desk.ticketSla(lead, t.id)
      assert.equal(s.priority, 'critical')
      assert.equal(s.firstResponse.target, 'first_response')
      assert.ok(s.firstResponse.due instanceof Date)
      assert.ok(s.firstResponse.due > t.createdAt)
      assert.equal(s.firstResponse.breached, false)
      assert.ok(s.resolution.budgetSeconds > s.firstResponse.budgetSeconds)
      const r = await desk.runDue(new Date())
      assert.equal(typeof r.breaches, 'number')
    })

    it('soft-deletes: the ticket is then not found everywhere', async () => {
      const t = await desk.createTicket(lead, { subject: 'duplicate' })
      await rejectsWith(desk.deleteTicket(endUser, t.id), 'PERMISSION_DENIED')
      await desk.deleteTicket(admin, t.id)
      await rejectsWith(desk.getTicket(lead, t.id), 'NOT_FOUND', `Ticket ${t.id} not found`)
      await rejectsWith(desk.getTicketByNumber(lead, t.number), 'NOT_FOUND')
      await rejectsWith(desk.addComment(lead, t.id, 'x'), 'NOT_FOUND')
    })
  })

  describe(`reopen on ${backend.name} (itsm workflow)`, () => {
    let ctx
    before(async () => {
      ctx = await backend.open({ workflow: 'itsm' })
    })
    after(async () => ctx.cleanup())

    it('resolves with a note and reopens with a reason', async () => {
      const desk = ctx.desk
      const lead = actor('acme', 'lead', ['TEAM_LEAD'])
      const t = await desk.createTicket(lead, { subject: 'VPN down' })
      await desk.transitionTicket(lead, t.id, 'OPEN')
      await rejectsWith(desk.transitionTicket(lead, t.id, 'RESOLVED'), 'VALIDATION', /resolution note is required/)
      const r = await desk.transitionTicket(lead, t.id, 'RESOLVED', { resolutionNote: 'Router rebooted' })
      assert.equal(r.status, 'RESOLVED')
      await rejectsWith(desk.reopenTicket(lead, t.id, ' '), 'VALIDATION')
      const o = await desk.reopenTicket(lead, t.id, 'Down again')
      assert.equal(o.status, 'REOPENED')
      assert.equal(o.resolvedAt, null)
      const last = (await desk.ticketHistory(lead, t.id)).at(-1)
      assert.equal(last.metadata.reason, 'Down again')
    })
  })
}
