// POST /api/tickets/:id/assign `{ user_id }` — assign (null unassigns).
import { actorFrom, getDesk } from '../../../../../lib/desk'
import { body, handle, json, str } from '../../../../../lib/http'
import { fibreTicket } from '../../../../../lib/tickets'

type Ctx = { params: Promise<{ id: string }> }

export async function POST(request: Request, { params }: Ctx): Promise<Response> {
  return handle(async () => {
    const { id } = await params
    const desk = await getDesk()
    const b = await body(request)
    return json(fibreTicket(await desk.assignTicket(actorFrom(request), id, str(b, 'user_id') ?? null)))
  })
}
