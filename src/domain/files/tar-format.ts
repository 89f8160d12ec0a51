/**
 * POSIX (pax) tar headers, written by hand so a folder streams out without a temporary copy. Paths over 100
 * bytes and sizes of 8 GiB and more go into a pax extended header, which GNU tar, bsdtar and Python's tarfile
 * all read.
 */
export const BLOCK = 512;
const USTAR_MAX_SIZE = 0o77777777777;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, type: '0' | '5' | 'x', mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(type === '5' ? 0o755 : 0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size > USTAR_MAX_SIZE ? 0 : size, 12), 124, 'ascii');
  block.write(octal(mtime, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii'); // checksum is computed with its own field as spaces
  block.write(type, 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

/** The header blocks of one entry (a pax header first when the name or size does not fit ustar). */
export function tarEntryHeader(path: string, size: number, kind: 'file' | 'directory', mtime: number): Buffer {
  const name = kind === 'directory' ? `${path}/` : path;
  const records = [
    ...(Buffer.byteLength(name) > 100 ? [paxRecord('path', name)] : []),
    ...(size > USTAR_MAX_SIZE ? [paxRecord('size', String(size))] : []),
  ];
  const own = header(Buffer.byteLength(name) > 100 ? name.slice(0, 99) : name, size, kind === 'directory' ? '5' : '0', mtime);
  if (records.length === 0) return own;
  const pax = Buffer.from(records.join(''), 'utf8');
  return Buffer.concat([header('PaxHeader', pax.length, 'x', mtime), pax, padding(pax.length), own]);
}

/** Zeros that fill the last block of an entry's data. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(2 * BLOCK);

/** Bytes of the whole archive, for Content-Length. */
export function tarSize(entries: readonly { path: string; size: number; kind: 'file' | 'directory' }[]): number {
  return entries.reduce((n, e) => n + tarEntryHeader(e.path, e.size, e.kind, 0).length + (e.kind === 'file' ? e.size + padding(e.size).length : 0), TAR_END.length);
}
