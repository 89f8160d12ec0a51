import type { Request, Response } from 'express';
import { type ByteRange, parseByteRange } from '../../domain/files/byte-range';
import type { ManifestEntry } from '../../domain/onboarding/manifest';
import type { DownloadService } from '../../services/download.service';
import { metrics } from '../../observability/metrics';
import { sendBody } from './stall-guard';

export interface SendResult {
  /** A whole-file body was sent (what counts as a download; probes and slices do not). */
  whole: boolean;
}

/** What a download answers for: its stable ETag (quoted), its size, its media type. */
export interface Representation {
  etag: string;
  size: number;
  contentType: string;
}

/** The bytes a GET still has to send (inclusive), or null when the answer is complete already (304, 416, HEAD, empty). */
export interface BodyPlan {
  start: number;
  end: number;
  /** The parsed Range, null for the whole representation. */
  range: Exclude<ByteRange, 'unsatisfiable'>;
  /** The whole representation goes out (no Range, or one covering it all). */
  whole: boolean;
}

/**
 * Conditional and range headers for one representation, answered alike by every download: ETag and Accept-Ranges,
 * If-None-Match → 304, If-Range with another validator → the whole body, Range → 206 with Content-Range (hub clients
 * probe with bytes=0-0 and resume with bytes=N-), an unsatisfiable one → 416. Sets the status and headers; the caller
 * sends the body when a plan comes back.
 */
export function answerConditional(req: Request, res: Response, rep: Representation, headers: Record<string, string>): BodyPlan | null {
  res.set({ ...headers, ETag: rep.etag, 'Accept-Ranges': 'bytes', 'Cache-Control': 'private, max-age=0, must-revalidate' });
  if (etagMatches(req.header('if-none-match'), rep.etag)) {
    res.status(304).end();
    return null;
  }
  const ifRange = req.header('if-range');
  const range = ifRange && ifRange !== rep.etag ? null : parseByteRange(req.header('range'), rep.size);
  if (range === 'unsatisfiable') {
    res.status(416).set('Content-Range', `bytes */${rep.size}`).end();
    return null;
  }
  const [start, end] = range ? [range.start, range.end] : [0, rep.size - 1];
  res.status(range ? 206 : 200).set({
    'Content-Type': rep.contentType,
    'Content-Length': String(Math.max(0, end - start + 1)),
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${rep.size}` } : {}),
  });
  const whole = req.method === 'GET' && (range === null || (range.start === 0 && range.end === rep.size - 1));
  return { start, end, range, whole };
}

/** One file over HTTP: ETag is the quoted sha256 (the content address, stable forever); see answerConditional. */
export async function sendBlob(
  req: Request,
  res: Response,
  downloads: DownloadService,
  version: { id: string },
  entry: ManifestEntry,
  headers: Record<string, string>,
  /** Called once, before the body of a whole-file GET starts (downloads are counted when asked for). */
  onWhole: () => Promise<void> = async () => undefined,
  /** A client that takes no byte for this long is cut (DOWNLOAD_IDLE_TIMEOUT_MS). */
  idleTimeoutMs = 120_000,
): Promise<SendResult> {
  const plan = answerConditional(req, res, { etag: `"${entry.sha256}"`, size: entry.size, contentType: 'application/octet-stream' }, headers);
  if (!plan) return { whole: false };
  if (plan.whole) await onWhole();
  if (req.method === 'HEAD' || entry.size === 0) {
    res.end();
    return { whole: plan.whole };
  }
  const body = await downloads.open(version, entry, plan.range);
  await sendBody(res, body, idleTimeoutMs);
  // A client cut for stalling got part of it at most: only bodies sent whole count.
  if (res.writableEnded) metrics.bytesServed.inc({ api: req.baseUrl === '/hf' ? 'hf' : 'files' }, plan.end - plan.start + 1);
  return { whole: plan.whole };
}

/** If-None-Match against a strong ETag: weak comparison (RFC 9110 §13.1.2), and `*` matches any current representation. */
function etagMatches(header: string | undefined, etag: string): boolean {
  return header?.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag) ?? false;
}

/** `attachment; filename*=…` for a path's last segment. */
export function attachment(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;
}
