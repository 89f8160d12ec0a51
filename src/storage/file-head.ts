import { open } from 'node:fs/promises';

/** The first bytes of a file (format detection needs 16 at most). */
export async function readHead(file: string, bytes = 16): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
