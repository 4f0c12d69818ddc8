/**
 * The shapes of the native API's answers, as the console reads them: the
 * api's own response schemas (those that /openapi.json documents), imported
 * as types only — nothing of them reaches the browser but what they check.
 */
export type {
  BackupArchive,
  BackupPolicy,
  BackupRun,
  Bot,
  BotDiff,
  BotVersion,
  ComponentId,
  Delivery,
  ExportJob,
  ImportJob,
  ImportPlan,
  JobStatus,
  Outline,
  UndoState,
} from '@botport/api';
