const REPORT_EVERY_MS = 1000;

/** Passes items through and reports the share done (at most 99) about once a second. */
export async function* withProgress<T>(source: AsyncIterable<T>, total: number, report: (percent: number) => Promise<void>): AsyncGenerator<T> {
  let done = 0;
  let last = Date.now();
  for await (const item of source) {
    done++;
    if (Date.now() - last >= REPORT_EVERY_MS) {
      last = Date.now();
      await report(Math.min(99, Math.floor((done / Math.max(1, total)) * 100)));
    }
    yield item;
  }
}
