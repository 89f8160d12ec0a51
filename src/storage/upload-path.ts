import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** An upload path that resolves (through a symlink) outside the uploads folder: never read. */
export class UploadOutsideStoreError extends Error {}

/**
 * Follows symlinks and proves the real path stays under `<storeRoot>/uploads/`, so a link placed among
 * uploads (or an uploads sub-folder that is a link) never makes a CUSTOM import read other files.
 */
export async function realUploadPath(storeRoot: string, full: string): Promise<string> {
  const [real, uploads] = await Promise.all([realpath(full), realpath(path.resolve(storeRoot, 'uploads'))]);
  if (!real.startsWith(uploads + path.sep)) {
    throw new UploadOutsideStoreError(`upload path leaves the uploads folder: ${path.relative(storeRoot, full)}`);
  }
  return real;
}
