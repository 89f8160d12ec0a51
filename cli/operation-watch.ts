import cliProgress from 'cli-progress';
import type { ApiClient } from './api-client';
import { formatBytes } from './cli-output';

export interface OperationState {
  id: string;
  kind: string;
  status: string;
  progress: number;
  bytesDone: string | number;
  bytesTotal: string | number | null;
  currentStep: string | null;
  message: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  version: { id: string; version: string; status: string } | null;
}

export const OPERATION_FIELDS = `id kind status progress bytesDone bytesTotal currentStep message errorCode errorMessage version { id version status }`;

const PROGRESS = `subscription($id: ID!) { operationProgress(id: $id) { ${OPERATION_FIELDS} } }`;

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * Follows an operation over the operationProgress subscription until it ends; a bar with bytes, speed and ETA
 * (bytes when the operation counts them, else its progress fraction) and the current step, on a terminal only.
 */
export async function watchOperation(api: ApiClient, id: string, bars: boolean, onStep?: (text: string) => void): Promise<OperationState> {
  let last: OperationState | null = null;
  let lastStep = '';
  const started = Date.now();
  const bar = bars
    ? new cliProgress.SingleBar(
        { format: '{bar} {percentage}% | {step} | {doneText}{sizeText} {speed} {eta}', barsize: 24, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(1000, 0, { step: 'waiting', doneText: '', sizeText: '', speed: '', eta: '' });
  try {
    await api.subscribe<{ operationProgress: OperationState }>(PROGRESS, { id }, ({ operationProgress: op }) => {
      last = op;
      const step = op.currentStep ?? op.status;
      if (step !== lastStep) {
        lastStep = step;
        onStep?.(`${op.status.toLowerCase()}: ${step}${op.message ? ` — ${op.message}` : ''}`);
      }
      const done = Number(op.bytesDone);
      const total = op.bytesTotal === null ? 0 : Number(op.bytesTotal);
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      bar?.update(Math.round(Math.min(1, Math.max(0, op.progress)) * 1000), {
        step,
        doneText: total > 0 ? formatBytes(done) : '',
        sizeText: total > 0 ? `/${formatBytes(total)}` : '',
        speed: total > 0 && rate > 0 ? `| ${formatBytes(rate)}/s` : '',
        // The operation's own steps after the bytes (hashing, scanning) have no byte rate: ETA only while bytes move.
        eta: total > 0 && rate > 0 && done < total ? `| ETA ${Math.ceil((total - done) / rate)}s` : '',
      });
      if (ENDED.has(op.status)) bar?.update(op.status === 'SUCCEEDED' ? 1000 : bar.getProgress() * 1000, { step: op.status });
    });
  } finally {
    bar?.stop();
  }
  if (last === null) throw new Error(`operation ${id}: the subscription ended without an update`);
  return last;
}

export function describeOperation(op: OperationState): string {
  const version = op.version ? ` (version ${op.version.version}: ${op.version.status})` : '';
  if (op.status === 'SUCCEEDED') return `${op.kind} ${op.id} SUCCEEDED${version}`;
  if (op.errorCode || op.errorMessage) return `${op.kind} ${op.id} ${op.status}${version}: ${op.errorMessage ?? ''} (${op.errorCode ?? 'no code'})`;
  return `${op.kind} ${op.id} ${op.status}${version}`;
}
