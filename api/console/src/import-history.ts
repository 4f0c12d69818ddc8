import { call, explain } from './api.js';
import { busy, byId, el, show } from './dom.js';
import * as format from './format.js';
import { may } from './scopes.js';
import type { ImportJob as ImportRow } from './models.js';

/** The tenant's imports of the last seven days, with Undo for those that changed a DRAFT. */
export class ImportHistory {
  private readonly body = byId('imports-table').querySelector('tbody')!;

  constructor(
    private readonly report: (message: string) => void,
    private readonly changed: () => void,
  ) {
    byId('imports-refresh').addEventListener('click', () => this.load());
  }

  clear(): void {
    this.body.replaceChildren();
  }

  async load(): Promise<void> {
    try {
      const { imports } = await call<{ imports: ImportRow[] }>('GET', '/v1/imports?limit=20');
      this.body.replaceChildren(...imports.map((i) => this.row(i)));
      show(byId('imports-empty'), !imports.length);
    } catch (err) {
      this.report(explain(err));
    }
  }

  private row(i: ImportRow): HTMLTableRowElement {
    const s = i.summary;
    const p = i.plan?.counts;
    const result =
      i.status === 'Failed'
        ? i.failureReasons.join('; ')
        : i.dryRun && p
          ? `plan (${i.plan?.outcome}): ${p.create} to create, ${p.update} to update, ${p.delete} to delete`
          : s
            ? `${s.added} added, ${s.replaced} replaced, ${s.kept} kept${s.botCreated ? ' (new bot)' : ''}`
            : '—';
    const actions = el('td', { class: 'actions' });
    if (i.status === 'Completed' && !i.dryRun && may('imports:write') && may('bots:write')) {
      const undo = el('button', { type: 'button', class: 'danger', 'aria-label': `Undo import ${i.importId}` }, 'Undo');
      undo.addEventListener('click', () => busy(undo, () => this.undo(i)));
      actions.append(undo);
    }
    return el(
      'tr',
      { 'data-import-id': i.importId },
      el('td', { 'data-label': 'Created' }, format.when(i.createdAt)),
      el('td', { 'data-label': 'Bot' }, i.botName ?? '—'),
      el('td', { 'data-label': 'Strategy' }, i.mergeStrategy + (i.dryRun ? ' · plan' : '')),
      el('td', { 'data-label': 'Status', class: `status-${i.status}` }, i.status),
      el('td', { 'data-label': 'Result' }, result),
      actions,
    );
  }

  private async undo(i: ImportRow): Promise<void> {
    if (!confirm(`Undo the import into ${i.botName}? Its draft goes back to what it was before.`)) return;
    try {
      await call('POST', `/v1/imports/${encodeURIComponent(i.importId)}/undo`);
      this.report(`Undone: ${i.botName}'s draft is as it was before import ${i.importId}.`);
      this.changed();
      await this.load();
    } catch (err) {
      this.report(explain(err));
    }
  }
}
