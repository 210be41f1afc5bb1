// The one Desk of the FibreFlow app (per process), and who is calling.
//
// FibreFlow keeps its own auth (seed 004: "Auth Required: Yes"); this example reads the
// already-authenticated caller from headers that the app's middleware would set.
import { Desk, type Actor } from 'faultdesk'

let desk: Promise<Desk> | undefined

/** Seed 002's rule: an ONT losing signal under a failed OLT is a child of the OLT's alarm. */
const OLT_TO_ONT = {
  name: 'OLT to ONT Correlation',
  type: 'correlation',
  conditions: {
    parent: { alarm_type: 'device.down', resource_type: 'olt' },
    child: { alarm_type: 'signal.loss', resource_type: 'ont' },
  },
  actions: { mark_parent_as_root_cause: true, suppress_child_alarms: true, create_correlation_id: true },
  time_window: 300,
}

/**
 * The process-wide Desk on `FIBREFLOW_DB_URL` (default: a SQLite file): FibreFlow workflow,
 * seed 002's OLT → ONT correlation rule.
 */
export function getDesk(): Promise<Desk> {
  desk ??= Desk.open(process.env.FIBREFLOW_DB_URL ?? 'sqlite://fibreflow.db', {
    workflow: 'fibreflow',
    rules: [OLT_TO_ONT],
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
