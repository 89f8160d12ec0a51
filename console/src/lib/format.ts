/** Display helpers: sizes, parameter counts, dates. BigInt fields arrive as numbers or strings. */
export function bytes(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  let n = Number(value);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? n : n.toFixed(n < 10 ? 2 : 1)} ${units[unit]}`;
}

export function params(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const n = Number(value);
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}K`;
  return String(n);
}

export function when(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function num(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return '—';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** "7B", "7b", "7000000000", "1.5e9" → a parameter count the API accepts as BigInt (a decimal string). */
export function parseParams(raw: string): string | null {
  const text = raw.trim().toUpperCase();
  if (text === '') return null;
  const match = /^(\d+(?:\.\d+)?)\s*([KMBT]?)$/.exec(text);
  const scale: Record<string, number> = { '': 1, K: 1e3, M: 1e6, B: 1e9, T: 1e12 };
  if (match) return String(Math.round(Number(match[1]) * scale[match[2]]));
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? String(Math.round(n)) : null;
}
