// GET /api/tickets/:id/history — seed 004's `ticket_status_history`, derived from faultdesk's
// immutable audit log.
import { actorFrom, getDesk } from '../../../../../lib/desk'
import { handle, json } from '../../../../../lib/http'
import { statusHistory } from '../../../../../lib/tickets'

type Ctx = { params: Promise<{ id: string }> }

export async function GET(request: Request, { params }: Ctx): Promise<Response> {
  return handle(async () => {
    const { id } = await params
    const desk = await getDesk()
    return json({ history: statusHistory(id, await desk.ticketHistory(actorFrom(request), id)) })
  })
}
