export { createApp, createServer } from './app';
export { createContext, closeContext } from './main';
export type { ApiContext } from './context';
export type * from './contract';
