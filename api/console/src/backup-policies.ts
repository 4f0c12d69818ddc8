import { call, explain } from './api.js';
import { busy, byId, el, show } from './dom.js';
import * as format from './format.js';
import type { BackupPolicy as Policy, BackupRun as Run, Bot } from './models.js';

const POLL_MS = 700;

/** Backup policies: the list, a run now, the runs of one (failures shown with their reasons), and a form for a new one. */
export class BackupPolicies {
  private readonly body = byId('policies').querySelector('tbody')!;
  private readonly form = byId<HTMLFormElement>('policy-form');
  private bots: Bot[] = [];

  constructor(private readonly report: (message: string) => void) {
    byId('backups-refresh').addEventListener('click', () => this.load());
    this.form.addEventListener('change', () => show(byId('policy-s3'), new FormData(this.form).get('destination') === 's3'));
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void busy(this.form.querySelector<HTMLButtonElement>('button[type=submit]')!, () => this.save());
    });
  }

  clear(): void {
    this.body.replaceChildren();
    this.form.reset();
    show(byId('policy-s3'), false);
    show(byId('runs'), false);
    byId('policy-status').textContent = '';
  }

  setBots(bots: Bot[]): void {
    this.bots = bots;
    byId('policy-bot').replaceChildren(el('option', { value: '' }, 'Every bot'), ...bots.map((b) => el('option', { value: b.botId }, b.name)));
  }

  async load(): Promise<void> {
    try {
      const { policies } = await call<{ policies: Policy[] }>('GET', '/v1/backup-policies?limit=100');
      this.body.replaceChildren(...policies.map((p) => this.row(p)));
      show(byId('policies-empty'), !policies.length);
    } catch (err) {
      this.report(explain(err));
    }
  }

  private row(p: Policy): HTMLTableRowElement {
    const run = el('button', { type: 'button', 'aria-label': `Run ${p.name} now` }, 'Run now');
    run.addEventListener('click', () => busy(run, () => this.runNow(p)));
    const runs = el('button', { type: 'button', class: 'secondary', 'aria-label': `Runs of ${p.name}` }, 'Runs');
    runs.addEventListener('click', () => this.showRuns(p));
    const keeps =
      [p.retention.keepLast && `newest ${p.retention.keepLast}`, p.retention.keepDays && `${p.retention.keepDays} days`].filter(Boolean).join(', ') || 'all';
    const bot = p.botId ? (this.bots.find((b) => b.botId === p.botId)?.name ?? p.botId) : 'Every bot';
    return el(
      'tr',
      { 'data-policy-id': p.policyId },
      el('th', { scope: 'row', 'data-label': 'Name' }, p.name),
      el('td', { 'data-label': 'Bot' }, bot),
      el('td', { 'data-label': 'Schedule' }, `${p.schedule} (${p.timezone})`),
      el('td', { 'data-label': 'Next run' }, p.nextRuns[0] ? format.when(p.nextRuns[0]) : '—'),
      el('td', { 'data-label': 'Keeps' }, keeps),
      el(
        'td',
        { 'data-label': 'Destination' },
        p.destination.type === 's3' ? `s3://${p.destination.bucket}/${p.destination.prefix ?? ''}` : "botport's storage",
      ),
      el('td', { class: 'actions' }, run, runs),
    );
  }

  private async runNow(p: Policy): Promise<void> {
    try {
      let run = await call<Run>('POST', `/v1/backup-policies/${p.policyId}/runs`);
      await this.showRuns(p);
      while (run.status === 'InProgress') {
        await new Promise((r) => setTimeout(r, POLL_MS));
        run = await call<Run>('GET', `/v1/backup-policies/${p.policyId}/runs/${run.runId}`);
      }
      await this.showRuns(p);
    } catch (err) {
      this.report(explain(err));
    }
  }

  private async showRuns(p: Policy): Promise<void> {
    const { runs } = await call<{ runs: Run[] }>('GET', `/v1/backup-policies/${p.policyId}/runs?limit=20`);
    byId('runs-policy').textContent = p.name;
    const describe = (r: Run) =>
      r.failureReasons.length
        ? r.failureReasons.join('; ')
        : r.items
            .map((i) => `${i.botName} ${i.series}: ${i.outcome}${i.sha256 ? ` (${i.sha256.slice(0, 12)}…)` : ''}${i.reason ? ` — ${i.reason}` : ''}`)
            .join('; ');
    byId('runs-table')
      .querySelector('tbody')!
      .replaceChildren(
        ...runs.map((r) =>
          el(
            'tr',
            { 'data-run-id': r.runId },
            el('td', { 'data-label': 'Started' }, format.moment(r.createdAt)),
            el('td', { 'data-label': 'Trigger' }, r.trigger),
            el('td', { 'data-label': 'Status', class: `status-${r.status}` }, r.status),
            el('td', { 'data-label': 'What it did' }, describe(r) || '—'),
          ),
        ),
      );
    show(byId('runs'));
  }

  private async save(): Promise<void> {
    const data = new FormData(this.form);
    const s3 = data.get('destination') === 's3';
    const body = {
      name: String(data.get('name')),
      botId: String(data.get('botId')) || null,
      schedule: String(data.get('schedule')),
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
      versions: data.getAll('versions').map(String),
      retention: { keepLast: data.get('keepLast') ? Number(data.get('keepLast')) : null },
      destination: s3
        ? {
            type: 's3',
            endpoint: String(data.get('endpoint')),
            bucket: String(data.get('bucket')),
            prefix: String(data.get('prefix')),
            accessKeyId: String(data.get('accessKeyId')),
            secretAccessKey: String(data.get('secretAccessKey')),
          }
        : { type: 'botport' },
    };
    const status = byId('policy-status');
    try {
      const policy = await call<Policy>('POST', '/v1/backup-policies', { body });
      status.textContent = `Saved “${policy.name}”; the first run is due ${policy.nextRuns[0] ? format.when(policy.nextRuns[0]) : 'never'}.`;
      status.className = 'ok';
      this.form.reset();
      show(byId('policy-s3'), false);
      await this.load();
    } catch (err) {
      status.textContent = explain(err);
      status.className = 'error';
    }
  }
}
