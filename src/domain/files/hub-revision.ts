import { createHash } from 'node:crypto';

/**
 * Hub clients cache by a 40-hex commit sha and ask for files at it. A version is immutable once its files are
 * verified, so its "commit" is derived from its id: the id's 32 hex digits and 8 digits of a checksum, which
 * maps back to the id without a lookup table and tells a commit of ours from a random sha.
 */
export function commitOfVersion(versionId: string): string {
  const hex = versionId.replace(/-/g, '').toLowerCase();
  return hex + checksum(hex);
}

export function versionOfCommit(commit: string): string | null {
  if (!/^[0-9a-f]{40}$/.test(commit)) return null;
  const hex = commit.slice(0, 32);
  if (checksum(hex) !== commit.slice(32)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function checksum(hex: string): string {
  return createHash('sha256').update(`modelhub-commit:${hex}`).digest('hex').slice(0, 8);
}

/** Hub clients' LFS pointer size: what `lfs.pointerSize` reports for a file of this size and digest. */
export function lfsPointerSize(sha256: string, size: number): number {
  return Buffer.byteLength(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`);
}
