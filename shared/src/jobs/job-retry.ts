import type { Pool } from 'pg';
import { isOperator, type Principal } from '../auth/tokens';
import { ConflictError, NotFoundError } from '../errors';
import { ExportRecords } from '../exports/export-record';
import { ImportRecords } from '../imports/import-record';
import { type JobQueues, runsByItself } from '../queue/queues';
import { UNIQUE_VIOLATION } from '../store/db';

export interface RetryResult {
  kind: 'export' | 'import';
  id: string;
  /** `restarted`: a Failed job runs again from the start; `requeued`: a running job whose queue entry was gone is queued again. */
  action: 'restarted' | 'requeued';
}

/**
 * A retry of one export or import by a tenant's admin or the operator (`botport jobs
 * retry`): a Failed job runs again; an InProgress job whose queue entry is
 * lost or finished is queued again (what the reconciler does on its own
 * schedule). Anything else is refused with the reason.
 */
export class JobRetries {
  private readonly exports: ExportRecords;
  private readonly imports: ImportRecords;

  constructor(
    db: Pool,
    private readonly queues: JobQueues,
  ) {
    this.exports = new ExportRecords(db);
    this.imports = new ImportRecords(db);
  }

  /** A tenant's admin retries its own tenant's jobs; the operator, any tenant's. */
  async retry(principal: Principal, id: string): Promise<RetryResult> {
    const find = <R>(records: { get(tenantId: string, id: string): Promise<R | undefined>; getById(id: string): Promise<R | undefined> }) =>
      isOperator(principal) ? records.getById(id) : records.get(principal.tenantId, id);
    const asExport = await find(this.exports);
    const kind = asExport ? 'export' : 'import';
    const record = asExport ?? (await find(this.imports));
    if (!record) throw new NotFoundError(`no export or import ${id} was found`);
    const records = kind === 'export' ? this.exports : this.imports;
    const tenant = record.tenantId;

    if (record.status === 'Failed') {
      if (record.hasPassword) throw new ConflictError(`${kind} ${id} was password-protected; its password is not kept after a failure, so start it again`);
      const restarted = await records.restart(tenant, id).catch((err) => {
        // An identical export started since holds the one InProgress slot its options allow.
        if ((err as { code?: string }).code === UNIQUE_VIOLATION)
          throw new ConflictError(`an identical ${kind} is in progress; ${kind} ${id} is not needed again`);
        throw err;
      });
      if (!restarted) throw new ConflictError(`${kind} ${id} changed while retrying it; describe it and try again`);
      await this.enqueueAgain(kind, id);
      return { kind, id, action: 'restarted' };
    }
    if (record.status === 'InProgress') {
      const state = await this.queues.stateOf(kind, id);
      if (runsByItself(state)) throw new ConflictError(`${kind} ${id} is ${state} in the queue; it needs no retry`);
      await this.enqueueAgain(kind, id);
      return { kind, id, action: 'requeued' };
    }
    throw new ConflictError(`${kind} ${id} is ${record.status}; only a Failed or stuck InProgress job can be retried`);
  }

  /** `again`: a finished or failed queue entry under the same id would make the add a no-op, so it goes first. */
  private enqueueAgain(kind: 'export' | 'import', id: string): Promise<void> {
    return kind === 'export' ? this.queues.enqueueExport(id, { again: true }) : this.queues.enqueueImport(id, { again: true });
  }
}
