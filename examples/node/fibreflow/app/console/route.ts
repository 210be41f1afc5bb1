// GET /console — the live console: active alarms (root causes with their correlated children
// folded under them) and open tickets, filterable by contractor, updated live from
// /api/events as changes commit. Plain HTML and JS; no framework.

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>FibreFlow live console</title>
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f4f6f8; color: #1d2733; }
  header { background: #12324f; color: #fff; padding: 10px 20px; display: flex; gap: 20px; align-items: center; }
  header h1 { font-size: 18px; margin: 0; }
  #status { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #7a8794; }
  #status.live { background: #2e9d5b; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; padding: 20px; }
  section { background: #fff; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: 12px 16px; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  ul { list-style: none; margin: 0; padding: 0; }
  li.alarm, li.ticket { border-left: 4px solid #999; padding: 6px 10px; margin: 6px 0; background: #fafbfc; }
  .critical { border-color: #c62828 !important; } .major, .high { border-color: #ef6c00 !important; }
  .minor, .normal { border-color: #f9a825 !important; } .warning, .low, .info { border-color: #1e88e5 !important; }
  ul.children { margin: 6px 0 0 18px; }
  li.child { border-left: 3px dashed #aaa; padding: 3px 8px; margin: 3px 0; color: #566; }
  .meta { color: #6b7785; font-size: 12px; }
  .empty { color: #8a96a3; font-style: italic; }
</style>
</head>
<body>
<header>
  <h1>FibreFlow live console</h1>
  <label>Contractor <input id="contractor" placeholder="all" size="10"></label>
  <span id="status">connecting</span>
</header>
<main>
  <section><h2>Active alarms <span id="alarm-count" class="meta"></span></h2><ul id="alarms"></ul></section>
  <section><h2>Open tickets <span id="ticket-count" class="meta"></span></h2><ul id="tickets"></ul></section>
</main>
<script>
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e }
const contractor = () => document.getElementById('contractor').value.trim()
async function getJson(path) {
  const r = await fetch(path, { headers: { accept: 'application/json' } })
  if (!r.ok) throw new Error(path + ': ' + r.status)
  return r.json()
}
function renderAlarms(alarms) {
  const ids = new Set(alarms.map((a) => a.id))
  const roots = alarms.filter((a) => !a.parentAlarmId || !ids.has(a.parentAlarmId))
  const ul = document.getElementById('alarms')
  ul.replaceChildren()
  for (const a of roots) {
    const li = el('li', 'alarm ' + a.raisedSeverity)
    li.dataset.alarmId = a.id
    li.append(el('strong', null, a.title), el('div', 'meta', a.raisedSeverity + ' · ' + a.status + ' · ' + (a.resourceType || '') + ' ' + (a.resourceId || '') + (a.isRootCause ? ' · root cause' : '')))
    const kids = alarms.filter((c) => c.parentAlarmId === a.id)
    if (kids.length) {
      const sub = el('ul', 'children')
      for (const c of kids) {
        const k = el('li', 'child', c.title + ' (' + c.status + ')')
        k.dataset.alarmId = c.id
        sub.append(k)
      }
      li.append(sub)
    }
    ul.append(li)
  }
  if (!roots.length) ul.append(el('li', 'empty', 'No active alarms'))
  document.getElementById('alarm-count').textContent = '(' + alarms.length + ')'
}
function renderTickets(tickets) {
  const ul = document.getElementById('tickets')
  ul.replaceChildren()
  for (const t of tickets) {
    const li = el('li', 'ticket ' + t.priority)
    li.dataset.ticketId = t.id
    li.append(el('strong', null, t.number + ' ' + t.title), el('div', 'meta', t.priority + ' · ' + t.status + (t.contractor_id ? ' · ' + t.contractor_id : '') + (t.assigned_to ? ' · ' + t.assigned_to : '')))
    ul.append(li)
  }
  if (!tickets.length) ul.append(el('li', 'empty', 'No open tickets'))
  document.getElementById('ticket-count').textContent = '(' + tickets.length + ')'
}
let pending = null
async function refresh() {
  const c = contractor()
  const q = c ? '&contractor_id=' + encodeURIComponent(c) : ''
  const [a, t] = await Promise.all([getJson('/api/alarms?x=1' + q), getJson('/api/tickets?open=true' + q)])
  renderAlarms(a.alarms)
  renderTickets(t.tickets)
  document.body.dataset.refreshed = String(Date.now())
}
function scheduleRefresh() {
  if (pending) return
  pending = setTimeout(() => { pending = null; refresh().catch(console.error) }, 50)
}
document.getElementById('contractor').addEventListener('input', scheduleRefresh)
const source = new EventSource('/api/events')
source.onopen = () => { const s = document.getElementById('status'); s.textContent = 'live'; s.className = 'live' }
source.onerror = () => { const s = document.getElementById('status'); s.textContent = 'reconnecting'; s.className = '' }
for (const kind of ['ticket.created', 'ticket.updated', 'ticket.assigned', 'ticket.status_changed', 'ticket.reopened', 'ticket.deleted',
                    'alarm.raised', 'alarm.updated', 'alarm.assigned', 'alarm.cleared', 'alarm.correlated', 'alarm.suppressed', 'alarm.acknowledged', 'alarm.resolved']) {
  source.addEventListener(kind, scheduleRefresh)
}
source.onmessage = scheduleRefresh
refresh().catch(console.error)
</script>
</body>
</html>
`

export async function GET(): Promise<Response> {
  return new Response(PAGE, { headers: { 'content-type': 'text/html; charset=utf-8' } })
}
