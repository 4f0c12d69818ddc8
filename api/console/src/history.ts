import { call, explain } from './api.js';
import { busy, byId, el, show } from './dom.js';
import { downloadExport } from './downloads.js';
import * as format from './format.js';
import type { ExportJob } from './models.js';

const PAGE = 20;

/** The filters an export used, in a few words: 'everything' when none. */
export function filtersOf(options: ExportJob['exportOptions'] | undefined): string {
  const o = options ?? {};
  const parts: string[] = [];
  for (const [category, items] of Object.entries(o.categories ?? {})) parts.push(`${category}: ${(items as string[]).join(', ') || 'none'}`);
  const tasks = Object.entries(o.subTasks ?? {}).flatMap(([list, names]) => (names as string[]).map((n) => `${list.replace(/s$/, '')} ${n}`));
  if (tasks.length) parts.push(`tasks: ${tasks.join(', ')}${o.includeDependentTasks ? ' + dependents' : ''}`);
  if (o.customDashboards === false) parts.push('no dashboards');
  return parts.join('; ') || 'everything';
}

/** The tenant's exports of the last seven days, newest first, a page at a time. */
export class ExportHistory {
  private readonly body = byId('history').querySelector('tbody')!;
  private readonly more = byId<HTMLButtonElement>('history-more');
  private nextToken?: string;

  constructor(
    private readonly report: (message: string) => void,
    /** Opens a finished export in the export view (its notifyUrl deliveries). */
    private readonly open: (job: ExportJob) => void,
  ) {
    this.more.addEventListener('click', () => busy(this.more, () => this.load(false)));
    byId('history-refresh').addEventListener('click', () => this.load(true));
  }

  /** Forgets the rows shown (sign-out). */
  clear(): void {
    this.body.replaceChildren();
    this.nextToken = undefined;
    show(this.more, false);
  }

  async load(fromStart = true): Promise<void> {
    try {
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (!fromStart && this.nextToken) query.set('nextToken', this.nextToken);
      const page = await call<{ exports: ExportJob[]; nextToken?: string }>('GET', `/v1/exports?${query}`);
      if (fromStart) this.body.replaceChildren();
      this.body.append(...page.exports.map((job) => this.row(job)));
      this.nextToken = page.nextToken;
      show(this.more, !!page.nextToken);
      show(byId('history-empty'), !this.body.children.length);
    } catch (err) {
      this.report(explain(err));
    }
  }

  private row(job: ExportJob): HTMLTableRowElement {
    const status = job.status === 'InProgress' ? `In progress (${job.progress}%)` : job.status;
    const reasons = job.status === 'Failed' ? job.failureReasons.join('; ') : undefined;
    const actions = el('td', { class: 'actions' });
    if (job.status === 'Completed') {
      const download = el('button', { type: 'button', class: 'secondary', 'aria-label': `Download export ${job.exportId}` }, 'Download');
      download.addEventListener('click', () => busy(download, () => downloadExport(job.exportId)).catch((err) => this.report(explain(err))));
      actions.append(download);
    }
    if ((job.status === 'Completed' || job.status === 'Failed') && job.notifyUrl) {
      const deliveries = el('button', { type: 'button', class: 'secondary', 'aria-label': `Notifications of export ${job.exportId}` }, 'Notifications');
      deliveries.addEventListener('click', () => this.open(job));
      actions.append(deliveries);
    }
    if (job.status === 'Completed' || job.status === 'Failed') {
      const remove = el('button', { type: 'button', class: 'danger', 'aria-label': `Delete export ${job.exportId}` }, 'Delete');
      remove.addEventListener('click', () => this.remove(job, remove));
      actions.append(remove);
    }
    const scope = [format.version(job.botVersion), job.localeId].filter(Boolean).join(' · ');
    return el(
      'tr',
      { 'data-export-id': job.exportId },
      el('td', { 'data-label': 'Created' }, format.when(job.createdAt)),
      el('td', { 'data-label': 'Bot' }, job.botName),
      el('td', { 'data-label': 'Version' }, scope),
      el('td', { 'data-label': 'Format' }, job.fileFormat + (job.passwordProtected ? ' · password' : '')),
      el('td', { 'data-label': 'Filters' }, filtersOf(job.exportOptions)),
      el('td', { 'data-label': 'Status', class: `status-${job.status}`, title: reasons }, status),
      el('td', { 'data-label': 'Size' }, format.bytes(job.sizeBytes)),
      el('td', { 'data-label': 'SHA-256', class: 'hash', title: job.sha256 ?? undefined }, job.sha256 ? `${job.sha256.slice(0, 12)}…` : '—'),
      actions,
    );
  }

  private async remove(job: ExportJob, button: HTMLButtonElement): Promise<void> {
    if (!confirm(`Delete the export of ${job.botName} made ${format.when(job.createdAt)}? Its archive goes too.`)) return;
    await busy(button, async () => {
      try {
        await call('DELETE', `/v1/exports/${encodeURIComponent(job.exportId)}`);
        await this.load(true);
      } catch (err) {
        this.report(explain(err));
      }
    });
  }
}
