// GET /api/tickets — tickets filtered by contractor, project, status, open-only; sorted
// (default: priority desc, then newest first — seed 004's "open tickets by contractor" query).
// POST /api/tickets — create a ticket (number, audit event and real-time event in one commit).
import { actorFrom, getDesk } from '../../../lib/desk'
import { body, handle, json, str } from '../../../lib/http'
import { fibreTicket } from '../../../lib/tickets'

export async function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const desk = await getDesk()
    const q = new URL(request.url).searchParams
    const labels: Record<string, string> = {}
    const contractor = q.get('contractor_id')
    const project = q.get('project_id')
    if (contractor) labels.contractor_id = contractor
    if (project) labels.project_id = project
    const num = (k: string) => (q.get(k) === null ? undefined : Number(q.get(k)))
    const page = await desk.listTickets(actorFrom(request), {
      labels,
      openOnly: q.get('open') === 'true' || q.get('open') === '1',
      status: q.getAll('status'),
      assignee: q.get('assigned_to') ?? undefined,
      sort: q.get('sort')?.split(',') ?? ['-priority', '-createdAt'],
      page: num('page'),
      pageSize: num('limit') ?? num('page_size'),
      cursor: q.get('cursor') ?? undefined,
    })
    return json({
      tickets: page.items.map(fibreTicket),
      total: page.total,
      page: page.page,
      page_size: page.pageSize,
      next_cursor: page.nextCursor,
    })
  })
}

export async function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const desk = await getDesk()
    const b = await body(request)
    const labels: Record<string, string> = {}
    const contractor = str(b, 'contractor_id')
    const project = str(b, 'project_id')
    if (contractor) labels.contractor_id = contractor
    if (project) labels.project_id = project
    const t = await desk.createTicket(actorFrom(request), {
      subject: str(b, 'title') ?? '',
      description: str(b, 'description'),
      priority: str(b, 'priority'),
      assigneeId: str(b, 'assigned_to'),
      labels,
    })
    return json(fibreTicket(t), 201)
  })
}
