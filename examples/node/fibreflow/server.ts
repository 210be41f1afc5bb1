// A tiny stand-in for `next dev`: serves the App Router route handlers of this example over
// node:http (Web Request in, Response out), for the live console and its browser test.
// FibreFlow's auth middleware would set the caller headers; here missing ones get a demo
// identity (`--user`, `--roles`, `--tenant` or FIBREFLOW_DEMO_*), since EventSource cannot send
// headers.
//
// Usage: node --import tsx examples/node/fibreflow/server.ts [--port 3000]
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as tickets from './app/api/tickets/route'
import * as ticket from './app/api/tickets/[id]/route'
import * as comments from './app/api/tickets/[id]/comments/route'
import * as history from './app/api/tickets/[id]/history/route'
import * as assign from './app/api/tickets/[id]/assign/route'
import * as close from './app/api/tickets/[id]/close/route'
import * as ticketEvents from './app/api/tickets/events/route'
import * as events from './app/api/events/route'
import * as alarms from './app/api/alarms/route'
import * as consolePage from './app/console/route'

type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>
type Module = Partial<Record<'GET' | 'POST' | 'PATCH', Handler>>

/** Path patterns (App Router folders) → route modules; static segments before dynamic ones. */
const ROUTES: Array<[RegExp, string[], Module]> = [
  [/^\/api\/tickets$/, [], tickets as Module],
  [/^\/api\/tickets\/events$/, [], ticketEvents as Module],
  [/^\/api\/tickets\/([^/]+)$/, ['id'], ticket as Module],
  [/^\/api\/tickets\/([^/]+)\/comments$/, ['id'], comments as Module],
  [/^\/api\/tickets\/([^/]+)\/history$/, ['id'], history as Module],
  [/^\/api\/tickets\/([^/]+)\/assign$/, ['id'], assign as Module],
  [/^\/api\/tickets\/([^/]+)\/close$/, ['id'], close as Module],
  [/^\/api\/events$/, [], events as Module],
  [/^\/api\/alarms$/, [], alarms as Module],
  [/^\/console$/, [], consolePage as Module],
]

/** The demo identity given to requests without caller headers. */
export interface DemoIdentity {
  tenantId: string
  userId: string
  roles: string
}

async function toRequest(req: IncomingMessage, base: string, demo: DemoIdentity, signal: AbortSignal): Promise<Request> {
  const headers = new Headers()
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === 'string') headers.set(k, v)
    else if (Array.isArray(v)) headers.set(k, v.join(', '))
  }
  if (!headers.has('x-user-id')) headers.set('x-user-id', demo.userId)
  if (!headers.has('x-roles')) headers.set('x-roles', demo.roles)
  if (!headers.has('x-tenant-id')) headers.set('x-tenant-id', demo.tenantId)
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && chunks.length > 0
  return new Request(new URL(req.url ?? '/', base), {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
    signal,
  })
}

async function send(res: ServerResponse, r: Response): Promise<void> {
  res.writeHead(r.status, Object.fromEntries(r.headers.entries()))
  if (!r.body) return void res.end()
  const reader = r.body.getReader()
  res.on('close', () => void reader.cancel().catch(() => {}))
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    res.write(value)
  }
  res.end()
}

/** Starts the server on `port` (0: any free port) on 127.0.0.1; resolves with it and its URL. */
export async function start(port = 0, demo: DemoIdentity = {
  tenantId: process.env.FIBREFLOW_DEMO_TENANT ?? 'fibreflow',
  userId: process.env.FIBREFLOW_DEMO_USER ?? 'console',
  roles: process.env.FIBREFLOW_DEMO_ROLES ?? 'TEAM_LEAD,NOC_OPERATOR',
}): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const abort = new AbortController()
    res.on('close', () => abort.abort())
    const base = `http://${req.headers.host ?? '127.0.0.1'}`
    const path = new URL(req.url ?? '/', base).pathname
    const route = ROUTES.find(([re]) => re.test(path))
    const method = (req.method ?? 'GET') as 'GET' | 'POST' | 'PATCH'
    const handler = route?.[2][method]
    if (!route || !handler) {
      res.writeHead(route ? 405 : 404, { 'content-type': 'application/json' })
      return void res.end(JSON.stringify({ detail: route ? 'Method not allowed' : 'Not found' }))
    }
    const m = route[0].exec(path)!
    const params = Object.fromEntries(route[1].map((name, i) => [name, decodeURIComponent(m[i + 1])]))
    toRequest(req, base, demo, abort.signal)
      .then((request) => handler(request, { params: Promise.resolve(params) }))
      .then((r) => send(res, r))
      .catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ detail: String(e) }))
      })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const { port: p } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${p}` }
}

if (require.main === module) {
  const i = process.argv.indexOf('--port')
  start(i > 0 ? Number(process.argv[i + 1]) : 3000).then(({ url }) => console.log(`FibreFlow example on ${url}/console`))
}
