import Table from 'cli-table3';

/** How a command prints: `--json` puts one JSON document on stdout and nothing else there. */
export interface Output {
  readonly json: boolean;
  /** The command's result: JSON under --json, else the human rendering. */
  result(value: unknown, human: () => string): void;
  /** A note for people (stderr), silent under --json so scripts see only what they asked for. */
  note(text: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else {
        const text = human();
        if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      }
    },
    note(text) {
      if (!json) process.stderr.write(`${text}\n`);
    },
  };
}

export function table(head: string[], rows: (string | number | null | undefined)[][]): string {
  const t = new Table({ head, style: { head: process.stdout.isTTY ? ['cyan'] : [], border: process.stdout.isTTY ? ['grey'] : [] } });
  for (const row of rows) t.push(row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))));
  return t.toString();
}

/** Key/value lines, aligned. */
export function fields(entries: [string, unknown][]): string {
  const width = Math.max(...entries.map(([key]) => key.length));
  return entries
    .filter(([, value]) => value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => `${key.padEnd(width)}  ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join('\n');
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  let n = Number(value);
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${n} B` : `${n.toFixed(n >= 100 ? 0 : 1)} ${UNITS[unit]}`;
}

/** Parameter counts as people say them (7.2B, 560M). */
export function formatCount(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const n = Number(value);
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(0)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}K`;
  return String(n);
}
