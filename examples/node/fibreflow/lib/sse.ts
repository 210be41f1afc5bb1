// A server-sent-events response streaming the committed events the caller may see.
import type { Event } from 'faultdesk'
import { actorFrom, getDesk } from './desk'
import { errorResponse } from './http'

/** Whether `kind` matches a pattern: exact, `prefix.*` or `*` (as the Desk's filter). */
export function kindMatches(patterns: string[], kind: string): boolean {
  return patterns.some((p) => p === '*' || p === kind || (p.endsWith('*') && kind.startsWith(p.slice(0, -1))))
}

/**
 * The SSE response for `request`: kinds from `?kind=` (patterns; `defaultKinds` when none),
 * `Last-Event-ID` resumes from the outbox after a reconnect. Each event is sent as
 * `id: <seq>` / `event: <kind>` / `data: <event JSON>`.
 */
export async function sseResponse(request: Request, defaultKinds: string[]): Promise<Response> {
  let desk
  try {
    desk = await getDesk()
  } catch (e) {
    return errorResponse(e)
  }
  const actor = actorFrom(request)
  const asked = new URL(request.url).searchParams.getAll('kind')
  const kinds = asked.length ? asked : defaultKinds
  const last = Number(request.headers.get('last-event-id') ?? '')
  const encoder = new TextEncoder()
  const frame = (e: Event) => encoder.encode(`id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`)
  let missed: Event[] = []
  if (Number.isSafeInteger(last) && last > 0) {
    try {
      missed = (await desk.eventsSince(actor, last, 1000)).filter((e) => kindMatches(kinds, e.kind))
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
    unsubscribe = desk.subscribe({ actor, kinds }, deliver)
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
