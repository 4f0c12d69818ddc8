import { call, explain } from './api.js';
import { busy, byId, el, show } from './dom.js';
import * as format from './format.js';
import type { Bot, BotVersion, ExportJob, Outline } from './models.js';

const TASK_LISTS = ['dialogs', 'alerts', 'actions'] as const;
/** Categories of bot-level kinds: a locale export has none of them, so they are not offered for one. */
const BOT_LEVEL_CATEGORIES = new Set(['settings', 'tasks']);

/**
 * The export options of one bot: version, format, whole bot or one locale,
 * categories, named tasks (and their dependencies) and a password. What can
 * be chosen comes from the version's outline, so it always matches the bot.
 */
export class ExportDialog {
  private readonly dialog = byId<HTMLDialogElement>('export-dialog');
  private readonly form = byId<HTMLFormElement>('export-form');
  private readonly version = byId<HTMLSelectElement>('export-version');
  private readonly locale = byId<HTMLSelectElement>('export-locale');
  private readonly error = byId('export-error');
  private bot?: Bot;
  /** One key per opening: a double submit replays the same export instead of making two. */
  private idempotencyKey = '';

  constructor(private readonly started: (job: ExportJob) => void) {
    this.version.addEventListener('change', () => this.fillChoices().catch((err) => this.fail(explain(err))));
    this.locale.addEventListener('change', () => this.showScope());
    this.form.addEventListener('submit', (event) => {
      if (event.submitter?.getAttribute('value') !== 'start') return;
      event.preventDefault();
      this.start().catch((err) => this.fail(explain(err)));
    });
  }

  /** Closes the dialog and forgets its bot (sign-out). */
  close(): void {
    if (this.dialog.open) this.dialog.close();
    this.form.reset();
    this.bot = undefined;
  }

  async open(bot: Bot): Promise<void> {
    this.bot = bot;
    this.idempotencyKey = crypto.randomUUID();
    this.form.reset();
    show(this.error, false);
    byId('export-title').textContent = `Export ${bot.name}`;
    const { versions } = await call<{ versions: BotVersion[] }>('GET', `/v1/bots/${bot.botId}/versions`);
    this.version.replaceChildren(...versions.map((v) => el('option', { value: v.version }, format.version(v.version))));
    await this.fillChoices();
    this.dialog.showModal();
  }

  private async fillChoices(): Promise<void> {
    const outline = await call<Outline>('GET', `/v1/bots/${this.bot!.botId}/versions/${this.version.value}/outline`);
    this.locale.replaceChildren(
      el('option', { value: '' }, 'Whole bot (every locale)'),
      ...outline.locales.map((id) => el('option', { value: id }, `Locale ${id} only`)),
    );
    const categories = byId('export-categories');
    categories.replaceChildren(
      categories.querySelector('legend')!,
      ...Object.entries(outline.categories).map(([category, items]) =>
        el('div', { class: 'choices', role: 'group', 'aria-label': category }, ...items.map((item) => checkbox(`category:${category}`, item, true))),
      ),
    );
    const tasks = TASK_LISTS.flatMap((list) => outline.tasks[list].map((name) => checkbox(`task:${list}`, name, false, `${name} (${list.slice(0, -1)})`)));
    byId('export-task-list').replaceChildren(...(tasks.length ? tasks : [el('p', { class: 'help' }, 'This version has no named tasks.')]));
    this.showScope();
  }

  /** One locale holds no tasks and no bot-level settings: only what applies is offered. */
  private showScope(): void {
    const wholeBot = !this.locale.value;
    show(byId('export-tasks'), wholeBot);
    for (const group of this.form.querySelectorAll<HTMLElement>('#export-categories [role="group"]')) {
      const applies = wholeBot || !BOT_LEVEL_CATEGORIES.has(group.getAttribute('aria-label')!);
      show(group, applies);
      group.querySelectorAll('input').forEach((box) => (box.disabled = !applies));
    }
  }

  private request(): Record<string, unknown> {
    const data = new FormData(this.form);
    const ticked = (name: string) => data.getAll(name).map(String);
    const exportOptions: Record<string, unknown> = {};
    const boxes = [...this.form.querySelectorAll<HTMLInputElement>('input[name^="category:"]:not(:disabled)')];
    // Every category item ticked means "everything": the option is left out.
    if (boxes.some((b) => !b.checked)) {
      exportOptions.categories = Object.fromEntries([...new Set(boxes.map((b) => b.name))].map((name) => [name.slice('category:'.length), ticked(name)]));
    }
    const wholeBot = !data.get('localeId');
    const subTasks = wholeBot ? Object.fromEntries(TASK_LISTS.map((list) => [list, ticked(`task:${list}`)]).filter(([, names]) => names.length)) : {};
    if (Object.keys(subTasks).length) {
      exportOptions.subTasks = subTasks;
      if (data.get('includeDependentTasks')) exportOptions.includeDependentTasks = true;
    }
    return {
      botId: this.bot!.botId,
      botVersion: this.version.value,
      fileFormat: String(data.get('fileFormat')),
      localeId: String(data.get('localeId') || '') || undefined,
      filePassword: String(data.get('filePassword') || '') || undefined,
      notifyUrl: String(data.get('notifyUrl') || '') || undefined,
      exportOptions: Object.keys(exportOptions).length ? exportOptions : undefined,
    };
  }

  private async start(): Promise<void> {
    const job = await busy(byId<HTMLButtonElement>('export-start'), () =>
      call<ExportJob>('POST', '/v1/exports', { body: this.request(), headers: { 'idempotency-key': this.idempotencyKey } }),
    );
    this.dialog.close();
    this.started(job);
  }

  private fail(message: string): void {
    this.error.textContent = message;
    show(this.error);
  }
}

function checkbox(name: string, value: string, checked: boolean, text = value): HTMLLabelElement {
  return el('label', { class: 'inline' }, el('input', { type: 'checkbox', name, value, checked }), text);
}
