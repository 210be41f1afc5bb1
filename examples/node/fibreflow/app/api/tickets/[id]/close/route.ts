// POST /api/tickets/:id/close `{ resolution }` — close with a history entry.
import { actorFrom, getDesk } from '../../../../../lib/desk'
import { body, handle, json, str } from '../../../../../lib/http'
import { fibreTicket } from '../../../../../lib/tickets'

type Ctx = { params: Promise<{ id: string }> }

export async function POST(request: Request, { params }: Ctx): Promise<Response> {
  return handle(async () => {
    const { id } = await params
    const desk = await getDesk()
    const b = await body(request)
    const t = await desk.transitionTicket(actorFrom(request), id, 'closed', { comment: str(b, 'resolution') })
    return json(fibreTicket(t))
  })
}
