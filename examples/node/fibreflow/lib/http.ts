// JSON responses and the mapping of faultdesk error codes to HTTP statuses.

/** faultdesk's stable error codes → HTTP status. */
const STATUS: Record<string, number> = {
  NOT_FOUND: 404,
  VALIDATION: 400,
  PERMISSION_DENIED: 403,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  STORAGE: 503,
}

/** A JSON response (Dates become ISO strings). */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}

/** The response for a thrown error: `{ detail, code }` with the status of its code. */
export function errorResponse(e: unknown): Response {
  if (e instanceof Error && typeof (e as { code?: unknown }).code === 'string') {
    const code = (e as Error & { code: string }).code
    if (code in STATUS) return json({ detail: e.message, code }, STATUS[code])
  }
  if (e instanceof SyntaxError) return json({ detail: 'Request body is not valid JSON', code: 'VALIDATION' }, 400)
  return json({ detail: 'Internal error', code: 'INTERNAL' }, 500)
}

/** Runs a handler body, turning errors into responses. */
export async function handle(f: () => Promise<Response>): Promise<Response> {
  try {
    return await f()
  } catch (e) {
    return errorResponse(e)
  }
}

/** The request's JSON object body. */
export async function body(request: Request): Promise<Record<string, unknown>> {
  const b: unknown = await request.json()
  if (typeof b !== 'object' || b === null || Array.isArray(b)) {
    throw Object.assign(new Error('Request body must be a JSON object'), { code: 'VALIDATION' })
  }
  return b as Record<string, unknown>
}

/** An optional string field of a body. */
export function str(b: Record<string, unknown>, key: string): string | undefined {
  const v = b[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw Object.assign(new Error(`${key} must be a string`), { code: 'VALIDATION' })
  return v
}
