// FibreFlow's ticket shape (seed 004's `tickets` columns) over faultdesk tickets: contractor and
// project are labels, the title is the subject, `assigned_to`/`created_by` the assignee/reporter.
import type { Comment, HistoryEntry, Ticket } from 'faultdesk'

/** A ticket as FibreFlow's UI and API use it. */
export interface FibreTicket {
  id: string
  number: string
  title: string
  description: string
  status: string
  priority: string
  contractor_id: string | null
  project_id: string | null
  assigned_to: string | null
  created_by: string
  created_at: string
  updated_at: string
}

/** The FibreFlow view of a faultdesk ticket. */
export function fibreTicket(t: Ticket): FibreTicket {
  return {
    id: t.id,
    number: t.number,
    title: t.subject,
    description: t.description,
    status: t.status,
    priority: t.priority,
    contractor_id: t.labels.contractor_id ?? null,
    project_id: t.labels.project_id ?? null,
    assigned_to: t.assigneeId,
    created_by: t.reporterId,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  }
}

/** A row of seed 004's `ticket_status_history`. */
export interface StatusChange {
  ticket_id: string
  old_status: string | null
  new_status: string
  changed_by: string
  changed_at: string
}

/** The status history derived from faultdesk's audit log (creation included). */
export function statusHistory(ticketId: string, history: HistoryEntry[]): StatusChange[] {
  const out: StatusChange[] = []
  for (const h of history) {
    if (h.eventType === 'CREATED') {
      const created = h.newValue as { status?: string } | null
      out.push({ ticket_id: ticketId, old_status: null, new_status: created?.status ?? 'pending', changed_by: h.actorId, changed_at: h.at.toISOString() })
    } else if (h.field === 'status') {
      out.push({ ticket_id: ticketId, old_status: String(h.oldValue), new_status: String(h.newValue), changed_by: h.actorId, changed_at: h.at.toISOString() })
    }
  }
  return out
}

/** A row of seed 004's `ticket_comments`. */
export function fibreComment(c: Comment) {
  return { id: c.id, ticket_id: c.ticketId, user_id: c.authorId, comment_body: c.body, visibility: c.visibility, created_at: c.createdAt.toISOString() }
}
