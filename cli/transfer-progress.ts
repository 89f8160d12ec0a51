import cliProgress from 'cli-progress';
import { formatBytes } from './cli-output';

/** Bytes moved by a transfer, for the bars and for the command's summary. */
export interface TransferMeter {
  /** A file started: `done` bytes of it were already there (resumed). */
  start(name: string, size: number, done: number): void;
  /** `done` is the file's total so far (not a delta). */
  update(name: string, done: number): void;
  finish(name: string): void;
  stop(): void;
}

interface Live {
  bar: cliProgress.SingleBar | null;
  done: number;
  from: number;
  started: number;
}

/**
 * One bar for the whole transfer (bytes, speed, ETA) and one per file in flight, drawn on stderr only when it is
 * a terminal; elsewhere (pipes, CI, tests) nothing is drawn, so logs stay readable.
 */
export function createMeter(totalBytes: number, enabled = Boolean(process.stderr.isTTY)): TransferMeter {
  const files = new Map<string, Live>();
  const started = Date.now();
  let moved = 0;
  let base = 0;
  const multibar = enabled
    ? new cliProgress.MultiBar(
        {
          format: '{bar} {percentage}% | {name} | {doneText}/{sizeText} | {speed} | ETA {eta_formatted}',
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
          etaBuffer: 50,
          fps: 8,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const total = multibar?.create(totalBytes, 0, { name: 'total', doneText: '0 B', sizeText: formatBytes(totalBytes), speed: '' }) ?? null;
  const redraw = () => {
    if (!total) return;
    const seconds = (Date.now() - started) / 1000;
    const speed = seconds > 0 ? `${formatBytes(moved / seconds)}/s` : '';
    total.update(base + moved, { doneText: formatBytes(base + moved), speed });
  };
  return {
    start(name, size, done) {
      base += done;
      const bar = multibar?.create(size, done, { name: name.length > 32 ? `…${name.slice(-31)}` : name, doneText: formatBytes(done), sizeText: formatBytes(size), speed: '' }) ?? null;
      files.set(name, { bar, done, from: done, started: Date.now() });
      redraw();
    },
    update(name, done) {
      const live = files.get(name);
      if (!live) return;
      moved += Math.max(0, done - live.done);
      live.done = done;
      const seconds = (Date.now() - live.started) / 1000;
      live.bar?.update(done, { doneText: formatBytes(done), speed: seconds > 0 ? `${formatBytes((done - live.from) / seconds)}/s` : '' });
      redraw();
    },
    finish(name) {
      const live = files.get(name);
      if (live?.bar && multibar) multibar.remove(live.bar);
      files.delete(name);
      redraw();
    },
    stop() {
      redraw();
      multibar?.stop();
    },
  };
}
