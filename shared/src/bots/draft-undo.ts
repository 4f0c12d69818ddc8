import type { Pool, PoolClient } from 'pg';
import { ConflictError } from '../errors';
import { inTransaction } from '../store/db';
import type { BotStore } from './bot-store';
import type { BeforeWrite, ImportMode } from './draft-import';

export interface UndoOutcome {
  importId: string;
  botId: string;
  /** The import had made the bot: undoing it deleted the bot. */
  botDeleted: boolean;
  /** Components put back as they were, and components the import had added that are gone again. */
  restored: number;
  removed: number;
}

interface UndoRow {
  bot_id: string;
  bot_created: boolean;
  revision_after: string;
  description_before: string | null;
  undone_at: Date | null;
}

/**
 * Undo of an import: what the import changed in the DRAFT is kept beside it
 * (import_undo, import_undo_rows) — only the rows it replaced or removed,
 * with their old bodies, the rows it added, and the bot's description — not
 * a copy of the whole DRAFT. Undo puts those back in one transaction, and
 * only while the DRAFT's revision is the one the import left: a later edit
 * would otherwise be lost without a word.
 */
export class DraftUndo {
  constructor(
    private readonly db: Pool,
    private readonly bots: BotStore,
  ) {}

  /**
   * The pre-image, taken inside the import's transaction before it writes:
   * for Replace every DRAFT row (the DRAFT is emptied first); for Overwrite
   * the rows the archive replaces with something different; for Append none
   * (existing rows win). Rows of the archive the DRAFT lacks are noted as added.
   * For a bot the import creates, no rows: undoing it deletes the bot.
   */
  keepPreImage(tenantId: string, importId: string, mode: ImportMode): BeforeWrite {
    return async (client, bot) => {
      const scope = [tenantId, bot.botId, importId];
      await client.query(
        `INSERT INTO import_undo (import_id, tenant_id, bot_id, bot_created, revision_after, description_before)
         SELECT $3, $1, $2, $4, -1, description FROM bots WHERE tenant_id = $1 AND bot_id = $2`,
        [...scope, bot.botCreated],
      );
      if (bot.botCreated) return; // undo deletes the bot it made: there is no DRAFT to put back
      const replaced =
        mode === 'Replace'
          ? 'TRUE'
          : mode === 'Overwrite'
            ? `EXISTS (SELECT 1 FROM import_staging s WHERE s.kind = c.kind AND s.locale_id = c.locale_id AND s.name = c.name
                         AND (s.body IS DISTINCT FROM c.body OR s.refs IS DISTINCT FROM c.refs))`
            : 'FALSE';
      await client.query(
        `INSERT INTO import_undo_rows (import_id, tenant_id, kind, locale_id, name, body, refs)
         SELECT $3, $1, c.kind, c.locale_id, c.name, c.body, c.refs FROM components c
          WHERE c.tenant_id = $1 AND c.bot_id = $2 AND c.version = 'DRAFT' AND ${replaced}
         UNION ALL
         SELECT $3, $1, s.kind, s.locale_id, s.name, NULL, NULL FROM import_staging s
          WHERE NOT EXISTS (SELECT 1 FROM components c WHERE c.tenant_id = $1 AND c.bot_id = $2 AND c.version = 'DRAFT'
                              AND c.kind = s.kind AND c.locale_id = s.locale_id AND c.name = s.name)`,
        scope,
      );
    };
  }

  /** After the import wrote, in its transaction: the revision it leaves, which undo will insist on. */
  async settle(client: PoolClient, tenantId: string, importId: string, botId: string): Promise<void> {
    await client.query(`UPDATE import_undo SET revision_after = $3 WHERE tenant_id = $1 AND import_id = $2`, [
      tenantId,
      importId,
      await this.bots.draftRevision(client, tenantId, botId),
    ]);
  }

  /** Whether an import kept a pre-image, and whether it was undone. */
  async state(tenantId: string, importId: string): Promise<{ undoable: boolean; undoneAt: Date | null } | undefined> {
    const { rows } = await this.db.query<UndoRow>(`SELECT undone_at FROM import_undo WHERE tenant_id = $1 AND import_id = $2`, [tenantId, importId]);
    return rows[0] && { undoable: !rows[0].undone_at, undoneAt: rows[0].undone_at };
  }

  /** Puts the DRAFT back as it was before the import; 409 naming why when it cannot. */
  async undo(tenantId: string, importId: string): Promise<UndoOutcome> {
    return inTransaction(this.db, async (client) => {
      const { rows } = await client.query<UndoRow>(
        `SELECT bot_id, bot_created, revision_after::text, description_before, undone_at FROM import_undo
          WHERE tenant_id = $1 AND import_id = $2 FOR UPDATE`,
        [tenantId, importId],
      );
      const u = rows[0];
      if (!u)
        throw new ConflictError(`import ${importId} has nothing to undo: it changed no DRAFT (a dry run, a failed import, or one made before undo existed)`);
      if (u.undone_at) throw new ConflictError(`import ${importId} was already undone at ${u.undone_at.toISOString()}`);
      const bot = await this.bots.lockDraft(client, tenantId, u.bot_id);
      const revision = await this.bots.draftRevision(client, tenantId, u.bot_id);
      if (String(revision) !== u.revision_after) {
        throw new ConflictError(
          `the DRAFT of bot ${bot.name} changed after import ${importId} (revision ${u.revision_after} then, ${revision} now); undoing it would discard those changes`,
        );
      }
      const outcome = u.bot_created ? await this.deleteCreatedBot(client, tenantId, u.bot_id, bot.name) : await this.restore(client, tenantId, importId, u);
      await client.query(`UPDATE import_undo SET undone_at = now() WHERE tenant_id = $1 AND import_id = $2`, [tenantId, importId]);
      return { importId, botId: u.bot_id, ...outcome };
    });
  }

  private async restore(client: PoolClient, tenantId: string, importId: string, u: UndoRow): Promise<Omit<UndoOutcome, 'importId' | 'botId'>> {
    const scope = [tenantId, u.bot_id, importId];
    const removed = await client.query(
      `DELETE FROM components c USING import_undo_rows r
        WHERE r.tenant_id = $1 AND r.import_id = $3 AND r.body IS NULL
          AND c.tenant_id = $1 AND c.bot_id = $2 AND c.version = 'DRAFT' AND c.kind = r.kind AND c.locale_id = r.locale_id AND c.name = r.name`,
      scope,
    );
    const restored = await client.query(
      `INSERT INTO components (tenant_id, bot_id, version, kind, locale_id, name, body, refs)
       SELECT $1, $2, 'DRAFT', kind, locale_id, name, body, refs FROM import_undo_rows WHERE tenant_id = $1 AND import_id = $3 AND body IS NOT NULL
       ON CONFLICT (tenant_id, bot_id, version, locale_id, kind, name) DO UPDATE SET body = EXCLUDED.body, refs = EXCLUDED.refs`,
      scope,
    );
    await this.bots.touchDraft(client, tenantId, u.bot_id, u.description_before ?? undefined);
    return { botDeleted: false, restored: restored.rowCount ?? 0, removed: removed.rowCount ?? 0 };
  }

  /** The import made the bot: before it there was none. Not once a version of it was published, which would go too. */
  private async deleteCreatedBot(client: PoolClient, tenantId: string, botId: string, name: string): Promise<Omit<UndoOutcome, 'importId' | 'botId'>> {
    const { rowCount } = await client.query(`SELECT 1 FROM bot_versions WHERE tenant_id = $1 AND bot_id = $2 AND version <> 'DRAFT'`, [tenantId, botId]);
    if (rowCount) throw new ConflictError(`the import created bot ${name}, which has been published since; undoing the import would delete those versions`);
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM components WHERE tenant_id = $1 AND bot_id = $2`, [tenantId, botId]);
    await client.query(`DELETE FROM bots WHERE tenant_id = $1 AND bot_id = $2`, [tenantId, botId]);
    return { botDeleted: true, restored: 0, removed: rows[0].n };
  }
}
