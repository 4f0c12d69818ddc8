export { createContext, closeContext } from './main';
export { startWorkers } from './workers';
export type { WorkerContext } from './context';
export { reconcileLostJobs, startReconciler } from './reconcile-lost-jobs';
