// GET /api/tickets/events — server-sent events: every committed ticket change the caller may
// see (its tenant; internal comments only for staff), as `event: <kind>` with the event JSON.
// Replaces seed 004's Convex `tickets_realtime` subscription. `Last-Event-ID` resumes from the
// outbox after a reconnect.
import { actorFrom, getDesk } from '../../../../lib/desk'
import { errorResponse } from '../../../../lib/http'
import type { Event } from 'faultdesk'

export const dynamic = 'force-dynamic'

export async function GET(request: Request): Promise<Response> {
  let desk
  try {
    desk = await getDesk()
  } catch (e) {
    return errorResponse(e)
  }
  const actor = actorFrom(request)
  const kinds = new URL(request.url).searchParams.getAll('kind')
  const last = Number(request.headers.get('last-event-id') ?? '')
  const encoder = new TextEncoder()
  const frame = (e: Event) => encoder.encode(`id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`)
  const matches = (e: Event) => kinds.length === 0 ? e.kind.startsWith('ticket.') : kinds.includes(e.kind)
  let missed: Event[] = []
  if (Number.isSafeInteger(last) && last > 0) {
    try {
      missed = (await desk.eventsSince(actor, last, 1000)).filter(matches)
    } catch (e) {
      return errorResponse(e)
    }
  }
  // Subscribe before answering, so a caller the Desk rejects gets a plain error response.
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined
  const early: Event[] = []
  let unsubscribe: () => void
  const deliver = (e: Event) => {
    if (!controller) return void early.push(e)
    try {
      controller.enqueue(frame(e))
    } catch {
      unsubscribe()
    }
  }
  try {
    unsubscribe = desk.subscribe({ actor, kinds: kinds.length ? kinds : ['ticket.*'] }, deliver)
  } catch (e) {
    return errorResponse(e)
  }
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(encoder.encode(': connected\n\n'))
      const seen = new Set<number>()
      for (const e of [...missed, ...early]) {
        if (!seen.has(e.seq)) c.enqueue(frame(e))
        seen.add(e.seq)
      }
      controller = c
      request.signal.addEventListener('abort', () => {
        unsubscribe()
        try {
          c.close()
        } catch {
          // already closed
        }
      })
    },
    cancel() {
      unsubscribe()
    },
  })
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive' },
  })
}
