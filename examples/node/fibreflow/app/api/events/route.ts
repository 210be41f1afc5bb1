// GET /api/events — server-sent events of tickets and alarms (the live console's feed);
// `?kind=alarm.*` narrows the kinds.
import { sseResponse } from '../../../lib/sse'

export const dynamic = 'force-dynamic'

export async function GET(request: Request): Promise<Response> {
  return sseResponse(request, ['ticket.*', 'alarm.*'])
}
