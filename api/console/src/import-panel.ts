import { call, explain } from './api.js';
import { busy, byId, el, show, sleep } from './dom.js';
import type { Bot, ImportJob, Outline } from './models.js';

const POLL_MS = 700;

/** The Import panel: a zip into a new bot or into one locale of a bot's draft, then its progress and result. */
export class ImportPanel {
  private readonly form = byId<HTMLFormElement>('import-form');
  private readonly bot = byId<HTMLSelectElement>('import-bot');
  private readonly status = byId('import-status');
  private readonly bar = byId<HTMLProgressElement>('import-progress');

  constructor(private readonly imported: () => void) {
    this.form.addEventListener('change', (event) => {
      if ((event.target as HTMLInputElement).name === 'target') this.showTarget();
    });
    this.bot.addEventListener('change', () => void this.suggestLocales());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.start();
    });
  }

  /** Forgets the chosen file, the password and the last result (sign-out). */
  clear(): void {
    this.form.reset();
    this.showTarget();
    this.bot.replaceChildren();
    this.bar.value = 0;
    this.say('');
    show(byId('import-result'), false);
  }

  /** The bots an import may go into. */
  setBots(bots: Bot[]): void {
    const chosen = this.bot.value;
    this.bot.replaceChildren(...bots.map((b) => el('option', { value: b.botId, selected: b.botId === chosen }, b.name)));
    if (this.existing()) void this.suggestLocales();
  }

  private existing(): boolean {
    return new FormData(this.form).get('target') === 'locale';
  }

  private showTarget(): void {
    const existing = this.existing();
    show(byId('import-existing'), existing);
    byId<HTMLInputElement>('import-locale').required = existing;
    if (existing) void this.suggestLocales();
  }

  private async suggestLocales(): Promise<void> {
    if (!this.bot.value) return;
    const outline = await call<Outline>('GET', `/v1/bots/${this.bot.value}/versions/DRAFT/outline`).catch(() => undefined);
    byId('import-locales').replaceChildren(...(outline?.locales ?? []).map((id) => el('option', { value: id })));
  }

  private async start(): Promise<void> {
    const data = new FormData(this.form);
    const file = data.get('file') as File;
    const query = new URLSearchParams({ mergeStrategy: String(data.get('mergeStrategy')) });
    if (this.existing()) {
      query.set('botId', String(data.get('botId')));
      query.set('localeId', String(data.get('localeId')));
    }
    const headers: Record<string, string> = { 'idempotency-key': crypto.randomUUID() };
    const password = String(data.get('password') || '');
    if (password) headers['botport-file-password'] = password;
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
    this.showTarget();
    this.imported();
  }

  private say(text: string, bad = false): void {
    this.status.textContent = text;
    this.status.className = bad ? 'error' : 'ok';
  }
}
