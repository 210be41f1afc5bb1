// Seed 004's flows through the route handlers, called directly with Node's fetch classes
// (no Next.js server): create per contractor and project, list open tickets by contractor
// ordered by priority and age, comments, status history, assignment, close, and the SSE stream.
// The database is FIBREFLOW_DB_URL (the test script runs this file on SQLite and PostgreSQL).
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as tickets from '../app/api/tickets/route'
import * as ticket from '../app/api/tickets/[id]/route'
import * as comments from '../app/api/tickets/[id]/comments/route'
import * as history from '../app/api/tickets/[id]/history/route'
import * as assign from '../app/api/tickets/[id]/assign/route'
import * as close from '../app/api/tickets/[id]/close/route'
import * as events from '../app/api/tickets/events/route'
import { closeDesk } from '../lib/desk'
import type { FibreTicket, StatusChange } from '../lib/tickets'

const base = 'http://fibreflow.test'
const run = Math.random().toString(36).slice(2, 8)
const staff = { 'x-user-id': 'louis', 'x-roles': 'TEAM_LEAD', 'x-tenant-id': `ff-${run}` }
const contractor = { 'x-user-id': 'contractor-9', 'x-roles': 'END_USER', 'x-tenant-id': `ff-${run}` }
const otherTenant = { 'x-user-id': 'x', 'x-roles': 'TEAM_LEAD', 'x-tenant-id': `other-${run}` }

function req(path: string, headers: Record<string, string>, method = 'GET', body?: unknown): Request {
  return new Request(base + path, {
    method,
    headers: { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}
const ctx = (id: string) => ({ params: Promise.resolve({ id }) })

async function create(title: string, priority: string, contractorId: string, projectId = 'p-1'): Promise<FibreTicket> {
  const r = await tickets.POST(req('/api/tickets', staff, 'POST', { title, priority, contractor_id: contractorId, project_id: projectId }))
  assert.equal(r.status, 201)
  return (await r.json()) as FibreTicket
}

describe('FibreFlow route handlers', () => {
  after(async () => closeDesk())

  it('POST creates tickets per contractor and project; GET lists open ones by priority and age', async () => {
    const low = await create('Pole leaning', 'low', 'c-9')
    const crit = await create('Fibre cut on Main St', 'critical', 'c-9', 'p-2')
    const highOld = await create('Splice loss', 'high', 'c-9')
    const highNew = await create('ONT dark', 'high', 'c-9')
    await create('Other contractor', 'critical', 'c-1')
    assert.equal(crit.contractor_id, 'c-9')
    assert.equal(crit.project_id, 'p-2')
    assert.equal(crit.status, 'pending')
    assert.match(crit.number, /^TKT-\d{4}-\d{6}$/)
    const doneR = await create('Done already', 'critical', 'c-9')
    const closed = await close.POST(req(`/api/tickets/${doneR.id}/close`, staff, 'POST', { resolution: 'fixed' }), ctx(doneR.id))
    assert.equal(((await closed.json()) as FibreTicket).status, 'closed')

    const r = await tickets.GET(req('/api/tickets?contractor_id=c-9&open=true', staff))
    assert.equal(r.status, 200)
    const page = (await r.json()) as { tickets: FibreTicket[]; total: number }
    assert.deepEqual(page.tickets.map((t) => t.id), [crit.id, highNew.id, highOld.id, low.id])
    assert.equal(page.total, 4)
    const byProject = (await (await tickets.GET(req('/api/tickets?project_id=p-2', staff))).json()) as { tickets: FibreTicket[] }
    assert.deepEqual(byProject.tickets.map((t) => t.id), [crit.id])
    const elsewhere = (await (await tickets.GET(req('/api/tickets?contractor_id=c-9', otherTenant))).json()) as { total: number }
    assert.equal(elsewhere.total, 0, 'another tenant sees none of them')
  })

  it('comments, assignment, status changes and the status history', async () => {
    const t = await create('Cabinet door broken', 'normal', 'c-9')
    const c = await comments.POST(req(`/api/tickets/${t.id}/comments`, staff, 'POST', { comment_body: 'Crew on the way' }), ctx(t.id))
    assert.equal(c.status, 201)
    await comments.POST(req(`/api/tickets/${t.id}/comments`, staff, 'POST', { comment_body: 'Contractor is late again', internal: true }), ctx(t.id))
    const staffView = (await (await comments.GET(req(`/api/tickets/${t.id}/comments`, staff), ctx(t.id))).json()) as { comments: unknown[] }
    assert.equal(staffView.comments.length, 2)
    const a = await assign.POST(req(`/api/tickets/${t.id}/assign`, staff, 'POST', { user_id: 'hein' }), ctx(t.id))
    assert.equal(((await a.json()) as FibreTicket).assigned_to, 'hein')
    const p = await ticket.PATCH(req(`/api/tickets/${t.id}`, staff, 'PATCH', { status: 'in_progress', priority: 'high' }), ctx(t.id))
    assert.equal(p.status, 200)
    const pt = (await p.json()) as FibreTicket
    assert.equal(pt.status, 'in_progress')
    assert.equal(pt.priority, 'high')
    await close.POST(req(`/api/tickets/${t.id}/close`, staff, 'POST', { resolution: 'door replaced' }), ctx(t.id))
    const h = (await (await history.GET(req(`/api/tickets/${t.id}/history`, staff), ctx(t.id))).json()) as { history: StatusChange[] }
    assert.deepEqual(
      h.history.map((x) => [x.old_status, x.new_status, x.changed_by]),
      [[null, 'pending', 'louis'], ['pending', 'in_progress', 'louis'], ['in_progress', 'closed', 'louis']],
    )
    const got = (await (await ticket.GET(req(`/api/tickets/${t.id}`, staff), ctx(t.id))).json()) as FibreTicket
    assert.equal(got.status, 'closed')
  })

  it('errors map to HTTP statuses with faultdesk messages', async () => {
    const missing = '3fa85f64-5717-4562-b3fc-2c963f66afa6'
    const nf = await ticket.GET(req(`/api/tickets/${missing}`, staff), ctx(missing))
    assert.equal(nf.status, 404)
    assert.deepEqual(await nf.json(), { detail: `Ticket ${missing} not found`, code: 'NOT_FOUND' })
    const bad = await tickets.POST(req('/api/tickets', staff, 'POST', { title: '  ' }))
    assert.equal(bad.status, 400)
    const t = await create('Closed one', 'low', 'c-9')
    await close.POST(req(`/api/tickets/${t.id}/close`, staff, 'POST', {}), ctx(t.id))
    const again = await ticket.PATCH(req(`/api/tickets/${t.id}`, staff, 'PATCH', { status: 'in_progress' }), ctx(t.id))
    assert.equal(again.status, 409)
    assert.equal(((await again.json()) as { code: string }).code, 'INVALID_TRANSITION')
    const forbidden = await comments.POST(req(`/api/tickets/${t.id}/comments`, contractor, 'POST', { comment_body: 'x', internal: true }), ctx(t.id))
    assert.equal(forbidden.status, 403, 'internal comments need tickets.comments.internal')
    const hidden = await comments.POST(req(`/api/tickets/${t.id}/comments`, contractor, 'POST', { comment_body: 'x' }), ctx(t.id))
    assert.equal(hidden.status, 404, 'an end user cannot see a ticket they did not report')
    const cross = await ticket.GET(req(`/api/tickets/${t.id}`, otherTenant), ctx(t.id))
    assert.equal(cross.status, 404)
  })

  it('the SSE route streams ticket events as they commit, for the caller only', async () => {
    const abort = new AbortController()
    const r = await events.GET(new Request(`${base}/api/tickets/events`, { headers: staff, signal: abort.signal }))
    assert.equal(r.headers.get('content-type'), 'text/event-stream')
    const reader = r.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    const read = async (pred: (s: string) => boolean) => {
      const end = Date.now() + 5000
      while (!pred(text) && Date.now() < end) {
        const { value, done } = await reader.read()
        if (done) break
        text += decoder.decode(value)
      }
    }
    await read((s) => s.includes(': connected'))
    await tickets.POST(req('/api/tickets', otherTenant, 'POST', { title: 'not yours', contractor_id: 'c-x' }))
    const t = await create('Live one', 'critical', 'c-live')
    await comments.POST(req(`/api/tickets/${t.id}/comments`, staff, 'POST', { comment_body: 'on it' }), ctx(t.id))
    await read((s) => s.includes('event: ticket.commented'))
    assert.match(text, /event: ticket\.created\nid: |id: \d+\nevent: ticket\.created/)
    assert.ok(text.includes(t.id))
    assert.ok(!text.includes('not yours'), 'no events of another tenant')
    const frames = text.split('\n\n').filter((f) => f.includes('data: '))
    const created = JSON.parse(frames[0].split('data: ')[1]) as { kind: string; entityId: string; at: string }
    assert.equal(created.kind, 'ticket.created')
    assert.equal(created.entityId, t.id)
    abort.abort()
    await reader.cancel().catch(() => {})
    const bad = await events.GET(new Request(`${base}/api/tickets/events`, { headers: { 'x-tenant-id': 'x' } }))
    assert.equal(bad.status, 400, 'a caller without user id is refused')
  })
})
