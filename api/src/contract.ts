import type { z } from 'zod';
import type { queuesView, retryView, sweepView } from './surfaces/admin/router';
import type { botList, botView, draftReplaced, outlineView, versionList, versionView } from './surfaces/native/bots';
import type { deliveriesView } from './surfaces/native/deliveries';
import type { exportList, exportView } from './surfaces/native/exports';
import type { importList, importPlanView, importView } from './surfaces/native/imports';
import type { archiveResponse, policyListResponse, policyResponse, runListResponse, runResponse } from './surfaces/native/backup-policies';
import type { diffResponse } from './surfaces/native/diffs';
import type { undoResponse, undoStateResponse } from './surfaces/native/import-undo';
import type { problemBody } from './surfaces/native/problem';

/**
 * The native and admin answers as types, inferred from the very schemas that
 * document them in /openapi.json: what the console and the CLI read, so no
 * client copies a response shape by hand.
 */
export type Bot = z.infer<typeof botView>;
export type BotPage = z.infer<typeof botList>;
export type BotVersion = z.infer<typeof versionView>;
export type BotVersions = z.infer<typeof versionList>;
export type DraftReplaced = z.infer<typeof draftReplaced>;
export type Outline = z.infer<typeof outlineView>;
export type ExportJob = z.infer<typeof exportView>;
export type ExportPage = z.infer<typeof exportList>;
export type ImportJob = z.infer<typeof importView>;
export type ImportPage = z.infer<typeof importList>;
export type JobStatus = ExportJob['status'];
export type Delivery = z.infer<typeof deliveriesView>['deliveries'][number];
export type Problem = z.infer<typeof problemBody>;
export type QueueStats = z.infer<typeof queuesView>;
export type RetryResult = z.infer<typeof retryView>;
export type SweepResult = z.infer<typeof sweepView>;
export type ImportPlan = z.infer<typeof importPlanView>;
export type ComponentId = ImportPlan['components']['create'][number];
export type BotDiff = z.infer<typeof diffResponse>;
export type BackupPolicy = z.infer<typeof policyResponse>;
export type BackupPolicyPage = z.infer<typeof policyListResponse>;
export type BackupRun = z.infer<typeof runResponse>;
export type BackupRunPage = z.infer<typeof runListResponse>;
export type BackupArchive = z.infer<typeof archiveResponse>;
export type UndoResult = z.infer<typeof undoResponse>;
export type UndoState = z.infer<typeof undoStateResponse>;
