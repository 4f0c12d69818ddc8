import { call, explain } from './api.js';
import { byId, el, show } from './dom.js';
import { type Diff, diffView } from './diff-view.js';
import * as format from './format.js';
import { may } from './scopes.js';
import type { BackupPolicy as Policy, Bot, BotVersion as Version, ExportJob as ExportRow } from './models.js';

/** A page per bot: its versions, locales, backups and last exports, and a diff between any two of its sides. */
export class BotPage {
  private readonly section = byId('bot-page');
  private bot?: Bot;

  constructor(private readonly report: (message: string) => void) {
    byId('bot-page-close').addEventListener('click', () => this.clear());
    byId<HTMLFormElement>('diff-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.compare();
    });
  }

  clear(): void {
    this.bot = undefined;
    show(this.section, false);
    for (const id of ['bot-page-versions', 'bot-page-backups', 'bot-page-exports', 'diff-result', 'diff-sides']) byId(id).replaceChildren();
  }

  async open(bot: Bot): Promise<void> {
    this.clear();
    this.bot = bot;
    byId('bot-page-title').textContent = bot.name;
    byId('bot-page-summary').textContent = bot.description || 'No description.';
    show(this.section);
    try {
      const id = encodeURIComponent(bot.botId);
      const [{ versions }, outline, exports, policies] = await Promise.all([
        call<{ versions: Version[] }>('GET', `/v1/bots/${id}/versions`),
        call<{ locales: string[] }>('GET', `/v1/bots/${id}/versions/DRAFT/outline`),
        may('exports:read') ? call<{ exports: ExportRow[] }>('GET', `/v1/exports?botId=${id}&limit=5`) : Promise.resolve({ exports: [] }),
        may('backup') ? call<{ policies: Policy[] }>('GET', `/v1/backup-policies?botId=${id}`) : Promise.resolve({ policies: [] }),
      ]);
      byId('bot-page-versions').replaceChildren(
        ...versions.map((v) => el('li', {}, `${format.version(v.version)}${v.description ? ` — ${v.description}` : ''} (${format.when(v.createdAt)})`)),
      );
      byId('bot-page-locales').textContent = outline.locales.join(', ') || 'none';
      byId('bot-page-exports').replaceChildren(
        ...(exports.exports.length
          ? exports.exports.map((e) => el('li', {}, `${format.when(e.createdAt)}: ${format.version(e.botVersion)}, ${e.fileFormat}, ${e.status}`))
          : [el('li', {}, 'none in the last seven days')]),
      );
      byId('bot-page-backups').replaceChildren(
        ...(policies.policies.length
          ? policies.policies.map((p) =>
              el('li', {}, `${p.name}${p.botId ? '' : ' (every bot)'}: ${p.schedule}, next ${p.nextRuns[0] ? format.when(p.nextRuns[0]) : '—'}`),
            )
          : [el('li', {}, 'no backup policy covers this bot')]),
      );
      const sides = [...versions.map((v) => v.version), ...exports.exports.filter((e) => e.status === 'Completed').map((e) => `export:${e.exportId}`)];
      byId('diff-sides').replaceChildren(...sides.map((value) => el('option', { value })));
    } catch (err) {
      this.report(explain(err));
    }
  }

  private async compare(): Promise<void> {
    if (!this.bot) return;
    const data = new FormData(byId<HTMLFormElement>('diff-form'));
    const query = new URLSearchParams({ from: String(data.get('from')), to: String(data.get('to')) });
    try {
      const diff = await call<Diff>('GET', `/v1/bots/${encodeURIComponent(this.bot.botId)}/diff?${query}`);
      byId('diff-result').replaceChildren(diffView(diff));
    } catch (err) {
      byId('diff-result').replaceChildren(el('p', { class: 'error' }, explain(err)));
    }
  }
}
