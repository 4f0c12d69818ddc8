import type { Pool } from 'pg';
import { ValidationError, NotFoundError } from '../errors';
import { ExportRecords } from '../exports/export-record';
import { ImportRecords } from '../imports/import-record';
import type { Storage } from '../storage/s3';
import type { ArchiveResolver } from './bot-diff';

/**
 * The archive sides botport keeps itself: `export:ID` (a Completed export of
 * the same bot) and `upload:ID` (an archive uploaded for import, of any bot).
 */
export function storedArchives(deps: { db: Pool; storage: Storage }): Record<string, ArchiveResolver> {
  const exports = new ExportRecords(deps.db);
  const imports = new ImportRecords(deps.db);
  return {
    export: async (tenantId, botId, id) => {
      const r = await exports.get(tenantId, id);
      if (!r || r.status === 'Deleting' || r.botId !== botId) throw new NotFoundError(`bot ${botId} has no export ${id}`);
      if (r.status !== 'Completed' || !r.objectKey) throw new ValidationError(`export ${id} is ${r.status}; only a completed export can be compared`);
      if (r.hasPassword)
        throw new ValidationError(`export ${id} is password-protected and botport does not keep its password, so its content cannot be compared`);
      const key = r.objectKey;
      return { what: `export ${id}`, open: () => deps.storage.download(key) };
    },
    upload: async (tenantId, _botId, id) => {
      const u = await imports.getUpload(tenantId, id);
      if (!u) throw new NotFoundError(`upload ${id} was not found (uploads are kept seven days)`);
      return {
        what: `upload ${id}`,
        open: () =>
          deps.storage.download(u.objectKey).catch((err: { name?: string }) => {
            if (err.name === 'NoSuchKey') throw new ValidationError(`nothing has been uploaded for ${id}`);
            throw err;
          }),
      };
    },
  };
}
