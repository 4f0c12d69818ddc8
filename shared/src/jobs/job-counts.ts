import type { Pool } from 'pg';
import { ExportRecords } from '../exports/export-record';
import { ImportRecords } from '../imports/import-record';
import type { JobQueues, QueueCounts } from '../queue/queues';

/**
 * One tenant's jobs in the shape of the queue counts, for that tenant's
 * admin: completed and failed from its records (PostgreSQL, the record of
 * truth), and its InProgress jobs split by where their queue entry stands.
 * Nothing of another tenant is read; the queues' own totals are the operator's.
 */
export async function tenantJobCounts(db: Pool, queues: JobQueues, tenantId: string): Promise<QueueCounts[]> {
  const kinds = [
    { queue: 'exports', kind: 'export', records: new ExportRecords(db) },
    { queue: 'imports', kind: 'import', records: new ImportRecords(db) },
  ] as const;
  return Promise.all(
    kinds.map(async ({ queue, kind, records }) => {
      const { byStatus, inProgress } = await records.tally(tenantId);
      const counts: QueueCounts = { queue, waiting: 0, active: 0, failed: byStatus.Failed ?? 0, delayed: 0, completed: byStatus.Completed ?? 0 };
      for (const state of await Promise.all(inProgress.map((id) => queues.stateOf(kind, id)))) {
        // A job whose entry was lost waits for the reconciler to queue it again.
        if (state === 'active' || state === 'delayed') counts[state]++;
        else counts.waiting++;
      }
      return counts;
    }),
  );
}
