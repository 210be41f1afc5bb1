// GET /api/tickets/:id/comments — the thread. POST — add a comment (`internal: true` for
// staff-only notes).
import { actorFrom, getDesk } from '../../../../../lib/desk'
import { body, handle, json, str } from '../../../../../lib/http'
import { fibreComment } from '../../../../../lib/tickets'

type Ctx = { params: Promise<{ id: string }> }

export async function GET(request: Request, { params }: Ctx): Promise<Response> {
  return handle(async () => {
    const { id } = await params
    const desk = await getDesk()
    const comments = await desk.listComments(actorFrom(request), id)
    return json({ comments: comments.map(fibreComment) })
  })
}

export async function POST(request: Request, { params }: Ctx): Promise<Response> {
  return handle(async () => {
    const { id } = await params
    const desk = await getDesk()
    const b = await body(request)
    const c = await desk.addComment(actorFrom(request), id, str(b, 'comment_body') ?? '', b.internal === true ? 'internal' : 'public')
    return json(fibreComment(c), 201)
  })
}
