// GET /api/alarms — active alarms (active, acknowledged, suppressed), newest first; `?contractor_id=`
// keeps those labelled with that contractor. POST /api/alarms — ingest one raw event (a monitoring
// hook): mapped, de-duplicated and correlated by the Desk.
import type { AlarmEvent } from 'faultdesk'
import { actorFrom, getDesk } from '../../../lib/desk'
import { body, handle, json, str } from '../../../lib/http'

export async function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const desk = await getDesk()
    const q = new URL(request.url).searchParams
    const page = await desk.listAlarms(actorFrom(request), {
      status: ['active', 'acknowledged', 'suppressed'],
      pageSize: 100,
    })
    const contractor = q.get('contractor_id')
    const alarms = contractor ? page.items.filter((a) => a.labels.contractor_id === contractor) : page.items
    return json({ alarms, total: alarms.length })
  })
}

export async function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const desk = await getDesk()
    const b = await body(request)
    const labels: Record<string, string> = {}
    const contractor = str(b, 'contractor_id')
    if (contractor) labels.contractor_id = contractor
    const at = str(b, 'occurred_at')
    const event: AlarmEvent = {
      eventType: str(b, 'event_type') ?? '',
      resourceType: str(b, 'resource_type'),
      resourceId: str(b, 'resource_id'),
      severity: str(b, 'severity'),
      title: str(b, 'title'),
      labels,
      occurredAt: at ? new Date(at) : new Date(),
    }
    const out = await desk.ingest(actorFrom(request), event)
    return json({ alarm_id: out.alarmIds[0], created: out.created === 1, decisions: out.decisions.map((d) => d.kind) }, 201)
  })
}
