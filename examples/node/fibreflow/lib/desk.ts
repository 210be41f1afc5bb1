// The one Desk of the FibreFlow app (per process), and who is calling.
//
// FibreFlow keeps its own auth (seed 004: "Auth Required: Yes"); this example reads the
// already-authenticated caller from headers that the app's middleware would set.
import { Desk, type Actor } from 'faultdesk'

let desk: Promise<Desk> | undefined

/** The process-wide Desk on `FIBREFLOW_DB_URL` (default: a SQLite file), FibreFlow workflow. */
export function getDesk(): Promise<Desk> {
  desk ??= Desk.open(process.env.FIBREFLOW_DB_URL ?? 'sqlite://fibreflow.db', {
    workflow: 'fibreflow',
    blobDir: process.env.FIBREFLOW_BLOB_DIR ?? 'fibreflow-blobs',
  })
  return desk
}

/** Closes the Desk (tests, graceful shutdown). */
export async function closeDesk(): Promise<void> {
  if (desk) {
    const d = await desk
    desk = undefined
    await d.close()
  }
}

/** The caller, from the headers FibreFlow's auth middleware sets. */
export function actorFrom(request: Request): Actor {
  const h = request.headers
  return {
    tenantId: h.get('x-tenant-id') ?? 'fibreflow',
    userId: h.get('x-user-id') ?? '',
    roles: (h.get('x-roles') ?? '').split(',').map((r) => r.trim()).filter(Boolean),
    ip: h.get('x-forwarded-for') ?? undefined,
  }
}
