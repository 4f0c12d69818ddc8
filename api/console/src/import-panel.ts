import { call, explain } from './api.js';
import { busy, byId, el, show, sleep } from './dom.js';
import type { Bot, ComponentId as Id, ImportJob, ImportJob as PlanJob, Outline } from './models.js';

const POLL_MS = 700;

const label = (c: Id) => `${c.kind} ${c.name}${c.locale ? ` (${c.locale})` : ''}`;

/**
 * The Import panel: a zip into a new bot (named here, or as the archive says),
 * in place of an existing bot's draft, or into one locale of it; its plan
 * first when asked (a dry run), then its progress and result. An import
 * after a plan is guarded by the draft revision the plan saw.
 */
export class ImportPanel {
  private readonly form = byId<HTMLFormElement>('import-form');
  private readonly bot = byId<HTMLSelectElement>('import-bot');
  private readonly status = byId('import-status');
  private readonly bar = byId<HTMLProgressElement>('import-progress');
  /** The plan last shown, for the file and target it was made for. */
  private planned?: { key: string; revision: number };

  constructor(private readonly imported: () => void) {
    this.form.addEventListener('change', (event) => {
      if ((event.target as HTMLInputElement).name === 'target') this.showTarget();
    });
    this.bot.addEventListener('change', () => void this.suggestLocales());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.start();
    });
    const planButton = byId<HTMLButtonElement>('import-plan');
    planButton.addEventListener('click', () => {
      if (this.form.reportValidity()) void busy(planButton, () => this.plan());
    });
  }

  /** Forgets the chosen file, the password and the last result (sign-out). */
  clear(): void {
    this.form.reset();
    this.showTarget();
    this.bot.replaceChildren();
    this.bar.value = 0;
    this.say('');
    this.planned = undefined;
    show(byId('import-result'), false);
    show(byId('import-plan-result'), false);
  }

  /** The bots an import may go into. */
  setBots(bots: Bot[]): void {
    const chosen = this.bot.value;
    this.bot.replaceChildren(...bots.map((b) => el('option', { value: b.botId, selected: b.botId === chosen }, b.name)));
    if (this.existing()) void this.suggestLocales();
  }

  private target(): string {
    return String(new FormData(this.form).get('target'));
  }

  private existing(): boolean {
    return this.target() !== 'new';
  }

  private showTarget(): void {
    const existing = this.existing();
    const locale = this.target() === 'locale';
    show(byId('import-existing'), existing);
    show(byId('import-new'), !existing);
    show(byId('import-locale').parentElement!, locale);
    byId<HTMLInputElement>('import-locale').required = locale;
    if (existing) void this.suggestLocales();
  }

  /** The query of an import of the form as it stands; the same for its plan and the import itself. */
  private query(data: FormData): URLSearchParams {
    const query = new URLSearchParams({ mergeStrategy: String(data.get('mergeStrategy')) });
    if (this.existing()) query.set('botId', String(data.get('botId')));
    if (this.target() === 'locale') query.set('localeId', String(data.get('localeId')));
    if (!this.existing() && data.get('botName')) query.set('botName', String(data.get('botName')));
    return query;
  }

  private headers(data: FormData): Record<string, string> {
    const headers: Record<string, string> = { 'idempotency-key': crypto.randomUUID() };
    const password = String(data.get('password') || '');
    if (password) headers['botport-file-password'] = password;
    return headers;
  }

  private planKey(data: FormData): string {
    const file = data.get('file') as File;
    return `${file.name}\u0000${file.size}\u0000${file.lastModified}\u0000${this.query(data)}`;
  }

  /** A dry run: what the import would do, shown before anything changes. */
  private async plan(): Promise<void> {
    const data = new FormData(this.form);
    const query = this.query(data);
    query.set('dryRun', 'true');
    const out = byId('import-plan-result');
    show(out);
    out.replaceChildren(el('p', {}, 'Working out the plan…'));
    try {
      let job = await call<PlanJob>('POST', `/v1/imports?${query}`, { file: data.get('file') as File, headers: this.headers(data) });
      while (job.status === 'InProgress') {
        await sleep(POLL_MS);
        job = await call<PlanJob>('GET', `/v1/imports/${job.importId}`);
      }
      if (job.status !== 'Completed' || !job.plan) throw new Error(job.failureReasons.join('; ') || 'the plan could not be made');
      const p = job.plan;
      this.planned = { key: this.planKey(data), revision: p.draftRevision };
      const c = p.counts;
      out.replaceChildren(
        el(
          'h3',
          {},
          p.outcome === 'applies' ? `Plan for ${p.target.botCreated ? 'the new bot' : ''} “${p.target.botName}”` : 'The import would fail and change nothing',
        ),
        ...p.failureReasons.map((r) => el('p', { class: 'error' }, r)),
        el(
          'p',
          {},
          `${c.create} to create, ${c.update} to update, ${c.delete} to delete, ${c.unchanged} unchanged; ${c.conflicts} conflict(s), ${c.missingDependencies} missing reference(s).`,
        ),
        el(
          'ul',
          { class: 'plan' },
          ...p.components.create.slice(0, 50).map((x) => el('li', { class: 'added' }, `create ${label(x)}`)),
          ...p.components.update.slice(0, 50).map((x) => el('li', { class: 'changed' }, `update ${label(x)} — `, el('code', {}, x.pointers.join(', ')))),
          ...p.components.delete.slice(0, 50).map((x) => el('li', { class: 'removed' }, `delete ${label(x)}`)),
        ),
        el('p', { class: 'help' }, 'Start the import to apply this plan; it is refused if the draft changes first.'),
      );
    } catch (err) {
      out.replaceChildren(el('p', { class: 'error' }, err instanceof Error && !('status' in err) ? err.message : explain(err)));
    }
  }

  private async suggestLocales(): Promise<void> {
    if (!this.bot.value) return;
    const outline = await call<Outline>('GET', `/v1/bots/${this.bot.value}/versions/DRAFT/outline`).catch(() => undefined);
    byId('import-locales').replaceChildren(...(outline?.locales ?? []).map((id) => el('option', { value: id })));
  }

  private async start(): Promise<void> {
    const data = new FormData(this.form);
    const file = data.get('file') as File;
    const query = this.query(data);
    if (this.planned?.key === this.planKey(data)) query.set('draftRevision', String(this.planned.revision));
    const headers = this.headers(data);
    show(byId('import-result'));
    this.say(`Uploading ${file.name}…`);
    this.bar.removeAttribute('value'); // indeterminate while the file goes up
    await busy(this.form.querySelector<HTMLButtonElement>('button[type=submit]')!, () => this.follow(query, file, headers));
  }

  /** Uploads, then polls until the import ends; any error is said, not thrown. */
  private async follow(query: URLSearchParams, file: File, headers: Record<string, string>): Promise<void> {
    try {
      let job = await call<ImportJob>('POST', `/v1/imports?${query}`, { file, headers });
      while (job.status === 'InProgress') {
        this.bar.value = job.progress;
        this.say(`Importing… ${job.progress}%`);
        await sleep(POLL_MS);
        job = await call<ImportJob>('GET', `/v1/imports/${job.importId}`);
      }
      this.finish(job);
    } catch (err) {
      this.bar.value = 0;
      this.say(explain(err), true);
    }
  }

  private finish(job: ImportJob): void {
    if (job.status !== 'Completed') {
      this.bar.value = 0;
      this.say(`The import failed and changed nothing: ${job.failureReasons.join('; ') || 'no reason was given'}.`, true);
      return;
    }
    this.bar.value = 100;
    const s = job.summary;
    const counts = s ? ` ${s.added} components added, ${s.replaced} replaced, ${s.kept} kept (${s.format}).` : '';
    const notes = s?.notes?.length ? ` Note: ${s.notes.join(' ')}` : '';
    this.say(`Imported into ${s?.botCreated ? 'the new bot' : 'the bot'} “${job.botName}”.${counts}${notes}`);
    this.form.reset();
    this.planned = undefined;
    show(byId('import-plan-result'), false);
    this.showTarget();
    this.imported();
  }

  private say(text: string, bad = false): void {
    this.status.textContent = text;
    this.status.className = bad ? 'error' : 'ok';
  }
}
