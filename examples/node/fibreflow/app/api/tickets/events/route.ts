// GET /api/tickets/events — server-sent events: every committed ticket change the caller may
// see (its tenant; internal comments only for staff), as `event: <kind>` with the event JSON.
// Replaces seed 004's Convex `tickets_realtime` subscription. `Last-Event-ID` resumes from the
// outbox after a reconnect; `?kind=ticket.commented` narrows the kinds.
import { sseResponse } from '../../../../lib/sse'

export const dynamic = 'force-dynamic'

export async function GET(request: Request): Promise<Response> {
  return sseResponse(request, ['ticket.*'])
}
