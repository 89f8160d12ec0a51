import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SHA256, type ArtifactStore } from './artifact-store';
import { hashingMeter } from './hashing-meter';

/**
 * The artifact store's half of a backup: every blob, copied out through the store's verified whole-blob read (a
 * corrupt blob fails the backup instead of being copied), and back in through the same durable adoption imports
 * use, each file's digest checked again on the way in. Blobs are immutable and named by their digest, so the copy
 * needs no snapshot: what the database snapshot references is there as long as the collector's grace period
 * (BLOB_GC_GRACE_MS, a day by default) is longer than the backup takes.
 */

export interface BlobsCopied {
  blobs: number;
  bytes: number;
}

/** Copies every blob of `store` into `dir/<sha256>`. */
export async function backupBlobs(store: ArtifactStore, dir: string): Promise<BlobsCopied> {
  await mkdir(dir, { recursive: true });
  let blobs = 0;
  let bytes = 0;
  for await (const blob of store.listBlobs()) {
    const check = hashingMeter();
    await pipeline(await store.read(blob.sha256), check.stream, createWriteStream(path.join(dir, blob.sha256)));
    if (check.digest() !== blob.sha256) throw new Error(`blob ${blob.sha256} read back with another digest`);
    blobs += 1;
    bytes += check.bytes();
  }
  return { blobs, bytes };
}

/** Digests present in a backup's blob folder. */
export async function backedUpBlobs(dir: string): Promise<Set<string>> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return new Set(names.filter((name) => SHA256.test(name)));
}

/** Adopts every blob of `dir` into `store` through `stagingDir`, verifying each digest before it counts. */
export async function restoreBlobs(store: ArtifactStore, dir: string, stagingDir: string): Promise<BlobsCopied> {
  await mkdir(stagingDir, { recursive: true });
  let blobs = 0;
  let bytes = 0;
  for (const sha256 of await backedUpBlobs(dir)) {
    const staged = path.join(stagingDir, `restore-${randomBytes(8).toString('hex')}`);
    try {
      const check = hashingMeter();
      await pipeline(createReadStream(path.join(dir, sha256)), check.stream, createWriteStream(staged));
      const actual = check.digest();
      if (actual !== sha256) throw new Error(`backup file blobs/${sha256} holds other bytes (sha256 ${actual}): the backup is damaged`);
      await store.adoptStagedFile(staged, { sha256, size: (await stat(staged)).size });
      blobs += 1;
      bytes += check.bytes();
    } finally {
      await rm(staged, { force: true });
    }
  }
  return { blobs, bytes };
}
