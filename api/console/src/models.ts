/** The shapes of the native API's answers, as the console reads them (see /openapi.json). */

export interface Bot {
  botId: string;
  name: string;
  description: string;
  updatedAt: string;
}

export interface BotVersion {
  version: string;
  description: string;
}

export interface Outline {
  version: string;
  locales: string[];
  tasks: { dialogs: string[]; alerts: string[]; actions: string[] };
  counts: Record<string, number>;
  /** Each export category and the items it may be narrowed to. */
  categories: Record<string, string[]>;
}

export type JobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Deleting';

export interface ExportJob {
  exportId: string;
  botId: string;
  botName: string;
  botVersion: string;
  localeId: string | null;
  fileFormat: string;
  /** The filters it was made with (categories, named tasks…); {} for everything. */
  exportOptions?: {
    categories?: Record<string, string[]>;
    subTasks?: Record<string, string[]>;
    includeDependentTasks?: boolean;
    customDashboards?: boolean;
  };
  passwordProtected: boolean;
  status: JobStatus;
  progress: number;
  failureReasons: string[];
  notes: string[];
  sizeBytes: number | null;
  sha256: string | null;
  notifyUrl?: string;
  downloadUrl?: string;
  createdAt: string;
}

/** One attempt at an export's or import's notifyUrl (GET …/deliveries). */
export interface Delivery {
  deliveryId: string;
  attempt: number;
  attemptedAt: string;
  outcome: 'delivered' | 'failed' | 'refused';
  statusCode: number | null;
  error: string | null;
  nextRetryAt: string | null;
}

export interface ImportJob {
  importId: string;
  status: JobStatus;
  progress: number;
  botId: string | null;
  botName: string | null;
  summary: { format: string; added: number; replaced: number; kept: number; botCreated: boolean } | null;
  failureReasons: string[];
}
