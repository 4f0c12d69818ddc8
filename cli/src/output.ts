/** How results reach a person (tables, progress bars on stderr) or a script (--json on stdout). */

export interface Output {
  json: boolean;
}

export function print(out: Output, value: unknown, human: () => string): void {
  process.stdout.write(out.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** Columns padded to their widest cell. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (!rows.length) return '(none)';
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

/** key: value lines; a list of texts as one indented line each. */
export function fields(record: Record<string, unknown>): string {
  const value = (v: unknown) => (v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? `${k}:\n${v.map((x) => `  - ${x}`).join('\n')}` : `${k}: ${value(v)}`))
    .join('\n');
}

const BAR_WIDTH = 30;

/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per
 * change otherwise (logs, CI), so stdout stays clean for --json.
 */
export function progressBar(label: string): (percent: number, note?: string) => void {
  let last = -1;
  return (percent, note = '') => {
    if (percent === last) return;
    last = percent;
    const filled = Math.round((percent / 100) * BAR_WIDTH);
    const text = `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}% ${note}`.trimEnd();
    if (process.stderr.isTTY) process.stderr.write(`\r${text}${percent >= 100 ? '\n' : ''}`);
    else process.stderr.write(`${text}\n`);
  };
}

/** Reads all of stdin (a password piped in, never on the command line). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
