import { CoreContext } from '@botport/shared';

/** What every processor may use, built once per worker process. */
export type WorkerContext = CoreContext;
