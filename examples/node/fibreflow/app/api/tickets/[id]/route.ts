// GET /api/tickets/:id — one ticket. PATCH /api/tickets/:id — update fields and/or status
// (status changes go through the FibreFlow workflow and land in the status history).
import { actorFrom, getDesk } from '../../../../lib/desk'
import { body, handle, json, str } from '../../../../lib/http'
import { fibreTicket } from '../../../../lib/tickets'

type Ctx = { params: Promise<{ id: string }> }

export async function GET(request: Request, { params }: Ctx): Promise<Response> {
  return handle(async () => {
    const { id } = await params
    const desk = await getDesk()
    return json(fibreTicket(await desk.getTicket(actorFrom(request), id)))
  })
}

export async function PATCH(request: Request, { params }: Ctx): Promise<Response> {
  return handle(async () => {
    const { id } = await params
    const desk = await getDesk()
    const actor = actorFrom(request)
    const b = await body(request)
    let t = await desk.updateTicket(actor, id, {
      subject: str(b, 'title'),
      description: str(b, 'description'),
      priority: str(b, 'priority'),
      ...('assigned_to' in b ? { assigneeId: str(b, 'assigned_to') ?? null } : {}),
    })
    const status = str(b, 'status')
    if (status && status !== t.status) t = await desk.transitionTicket(actor, id, status)
    return json(fibreTicket(t))
  })
}
