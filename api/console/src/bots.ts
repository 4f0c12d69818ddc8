import { call, explain } from './api.js';
import { byId, el, show } from './dom.js';
import * as format from './format.js';
import type { Bot } from './models.js';
import { may } from './scopes.js';

/** The tenant's bots, each with its Export button. */
export class BotList {
  private readonly body = byId('bots').querySelector('tbody')!;
  bots: Bot[] = [];

  constructor(
    private readonly exportBot: (bot: Bot) => void,
    private readonly report: (message: string) => void,
    private readonly changed: (bots: Bot[]) => void,
    private readonly openBot: (bot: Bot) => void = () => undefined,
  ) {
    byId('refresh').addEventListener('click', () => this.load());
  }

  /** Forgets the bots shown (sign-out). */
  clear(): void {
    this.bots = [];
    this.body.replaceChildren();
  }

  /** Every bot, following the cursor; a tenant's bot list is short enough to show whole. */
  async load(): Promise<void> {
    try {
      const bots: Bot[] = [];
      let cursor: string | undefined;
      do {
        const query = new URLSearchParams({ limit: '100', ...(cursor && { cursor }) });
        const page = await call<{ bots: Bot[]; nextCursor?: string }>('GET', `/v1/bots?${query}`);
        bots.push(...page.bots);
        cursor = page.nextCursor;
      } while (cursor);
      this.bots = bots;
      this.body.replaceChildren(...bots.map((bot) => this.row(bot)));
      show(byId('bots-empty'), !bots.length);
      this.changed(bots);
    } catch (err) {
      this.report(explain(err));
    }
  }

  private row(bot: Bot): HTMLTableRowElement {
    const actions = el('td', { class: 'actions' });
    // Only what the token may do is offered.
    if (may('exports:write')) {
      const button = el('button', { type: 'button', 'aria-label': `Export ${bot.name}` }, 'Export…');
      button.addEventListener('click', () => this.exportBot(bot));
      actions.append(button);
    }
    const name = el('button', { type: 'button', class: 'link', 'aria-label': `Open ${bot.name}` }, bot.name);
    name.addEventListener('click', () => this.openBot(bot));
    return el(
      'tr',
      { 'data-bot-id': bot.botId },
      el('th', { scope: 'row', 'data-label': 'Name' }, name),
      el('td', { 'data-label': 'Description' }, bot.description || '—'),
      el('td', { 'data-label': 'Updated' }, format.when(bot.updatedAt)),
      actions,
    );
  }
}
