import { type ExportOptions, namesTasks } from '@botport/shared';
import { z } from 'zod';

const names = z.array(z.string().min(1).max(200)).max(1000);

/** The core's export options, as the native and Lex surfaces accept them (`exportOptions`). */
export const exportOptionsSchema: z.ZodType<ExportOptions> = z
  .object({
    categories: z.object({ settings: names.optional(), tasks: names.optional(), nlpData: names.optional() }).strict().optional(),
    subTasks: z.object({ dialogs: names.optional(), alerts: names.optional(), actions: names.optional() }).strict().optional(),
    includeDependentTasks: z.boolean().optional(),
    customDashboards: z.boolean().optional(),
  })
  .strict();

/** Kore.ai's export body fields, translated to the core's options. */
export const koreExportFields = {
  exportOptions: z.object({ settings: names.optional(), tasks: names.optional(), nlpData: names.optional() }).strict().optional(),
  subTasks: z.object({ dialogs: names.optional(), alerts: names.optional(), actions: names.optional() }).strict().optional(),
  allTasks: z.boolean().optional(),
  customDashboards: z.boolean().optional(),
  IncludeDependentTasks: z.boolean().optional(),
};

export function fromKore(body: {
  exportOptions?: ExportOptions['categories'];
  subTasks?: ExportOptions['subTasks'];
  allTasks?: boolean;
  customDashboards?: boolean;
  IncludeDependentTasks?: boolean;
}): ExportOptions {
  // Named sub-tasks override allTasks, as Kore documents; allTasks alone changes nothing.
  const options: ExportOptions = {};
  if (body.exportOptions) options.categories = body.exportOptions;
  const named = namesTasks(body.subTasks);
  if (named) options.subTasks = body.subTasks;
  if (named && body.IncludeDependentTasks) options.includeDependentTasks = true;
  if (body.customDashboards === false) options.customDashboards = false;
  return options;
}
