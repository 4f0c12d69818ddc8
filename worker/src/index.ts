export { createContext, closeContext } from './main';
export { startWorkers } from './workers';
export type { WorkerContext } from './context';
