import { createHash } from 'node:crypto';

/**
 * Hub clients cache by a 40-hex commit sha and ask for files at it. A version is immutable once its files are
 * verified, so its "commit" is derived from its id: the id's 32 hex digits and 8 digits of a checksum, which
 * maps back to the id without a lookup table and tells a commit of ours from a random sha.
 * Publishing adds the registry's `model.sig` to the file list: the signed list is another commit (another checksum
 * salt), so a client's cache under the earlier commit never mixes with the signed files.
 */
export function commitOfVersion(versionId: string, registrySigned = false): string {
  const hex = versionId.replace(/-/g, '').toLowerCase();
  return hex + checksum(hex, registrySigned);
}

export function versionOfCommit(commit: string): string | null {
  if (!/^[0-9a-f]{40}$/.test(commit)) return null;
  const hex = commit.slice(0, 32);
  if (checksum(hex, false) !== commit.slice(32) && checksum(hex, true) !== commit.slice(32)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether a commit of ours names a version's registry-signed file list (after publish) rather than the earlier one. */
export function isSignedCommit(commit: string): boolean {
  return /^[0-9a-f]{40}$/.test(commit) && checksum(commit.slice(0, 32), true) === commit.slice(32);
}

function checksum(hex: string, registrySigned: boolean): string {
  return createHash('sha256').update(`${registrySigned ? 'modelhub-signed-commit' : 'modelhub-commit'}:${hex}`).digest('hex').slice(0, 8);
}

/** Hub clients' LFS pointer size: what `lfs.pointerSize` reports for a file of this size and digest. */
export function lfsPointerSize(sha256: string, size: number): number {
  return Buffer.byteLength(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`);
}
