import type { Request, Response } from 'express';
import { parseByteRange } from '../../domain/files/byte-range';
import type { ManifestEntry } from '../../domain/onboarding/manifest';
import type { DownloadService } from '../../services/download.service';
import { sendBody } from './stall-guard';

export interface SendResult {
  /** A whole-file body was sent (what counts as a download; probes and slices do not). */
  whole: boolean;
}

/**
 * One file over HTTP: ETag is the quoted sha256 (the content address, stable forever), Range answers 206 with
 * Content-Range (hub clients probe with bytes=0-0 and resume with bytes=N-), If-None-Match answers 304.
 */
export async function sendBlob(
  req: Request,
  res: Response,
  downloads: DownloadService,
  entry: ManifestEntry,
  headers: Record<string, string>,
  /** Called once, before the body of a whole-file GET starts (downloads are counted when asked for). */
  onWhole: () => Promise<void> = async () => undefined,
  /** A client that takes no byte for this long is cut (DOWNLOAD_IDLE_TIMEOUT_MS). */
  idleTimeoutMs = 120_000,
): Promise<SendResult> {
  const etag = `"${entry.sha256}"`;
  res.set({ ...headers, ETag: etag, 'Accept-Ranges': 'bytes', 'Cache-Control': 'private, max-age=0, must-revalidate' });
  if (etagMatches(req.header('if-none-match'), etag)) {
    res.status(304).end();
    return { whole: false };
  }
  const ifRange = req.header('if-range');
  const range = ifRange && ifRange !== etag ? null : parseByteRange(req.header('range'), entry.size);
  if (range === 'unsatisfiable') {
    res.status(416).set('Content-Range', `bytes */${entry.size}`).end();
    return { whole: false };
  }
  const [start, end] = range ? [range.start, range.end] : [0, entry.size - 1];
  res.status(range ? 206 : 200).set({
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(Math.max(0, end - start + 1)),
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${entry.size}` } : {}),
  });
  const whole = req.method === 'GET' && (range === null || (range.start === 0 && range.end === entry.size - 1));
  if (whole) await onWhole();
  if (req.method === 'HEAD' || entry.size === 0) {
    res.end();
    return { whole };
  }
  const body = await downloads.open(entry, range);
  await sendBody(res, body, idleTimeoutMs);
  return { whole };
}

/** If-None-Match against a strong ETag: weak comparison (RFC 9110 §13.1.2), and `*` matches any current representation. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  return header?.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag) ?? false;
}

/** `attachment; filename*=…` for a path's last segment. */
export function attachment(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;
}
