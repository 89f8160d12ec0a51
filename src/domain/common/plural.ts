/** "1 file", "3 files": counts in messages people read. `plural` for nouns that do not just take an s. */
export function counted(n: number | bigint, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 || n === 1n ? singular : plural}`;
}
