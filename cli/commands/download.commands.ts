import path from 'node:path';
import type { Command } from 'commander';
import picomatch from 'picomatch';
import { collect, contextOf } from '../cli-context';
import { CliError } from '../cli-errors';
import { formatBytes } from '../cli-output';
import { type DownloadResult, downloadFile, type RemoteFile } from '../http-download';
import { onInterrupt } from '../interrupt';
import { eachLimited, insideRoot } from '../local-files';
import { parseRef, resolveVersionId } from '../model-ref';
import { createMeter } from '../transfer-progress';
import { versionFiles } from '../version-files';

interface DownloadOptions {
  include?: string[];
  exclude?: string[];
  output?: string;
  parallel: string;
}

export function registerDownloadCommands(program: Command): void {
  program
    .command('download')
    .description('download a version\'s files (several at once, resumable, sha256 checked against the registry)')
    .argument('<ref>', '<model>, <model>@<version> or <model>:<alias> (default: the default version)')
    .option('--include <glob>', 'only paths matching (repeatable), e.g. "*.json" or "**/*.safetensors"', collect)
    .option('--exclude <glob>', 'leave out paths matching (repeatable)', collect)
    .option('-o, --output <dir>', 'folder to write into (default ./<model>-<version>)')
    .option('--parallel <n>', 'files downloaded at once', '4')
    .action(async (refText: string, options: DownloadOptions, command: Command) => {
      const { api, out, bars } = await contextOf(command);
      const ref = parseRef(refText);
      const { versionId, version } = await resolveVersionId(api, ref);
      const include = options.include?.length ? picomatch(options.include, { dot: true }) : () => true;
      const exclude = options.exclude?.length ? picomatch(options.exclude, { dot: true }) : () => false;
      const files = (await versionFiles(api, versionId)).filter((f) => include(f.path) && !exclude(f.path));
      if (files.length === 0) throw new CliError(`${ref.model}@${version} has no file matching ${options.include?.join(', ') ?? 'anything'}`, 'NOT_FOUND');
      const root = path.resolve(options.output ?? `${ref.model}-${version}`);
      const targets = new Map(files.map((f) => [f.path, insideRoot(root, f.path)]));
      const meter = createMeter(files.reduce((n, f) => n + f.size, 0), bars);
      const abort = new AbortController();
      const release = onInterrupt(() => abort.abort());
      const results: (RemoteFile & DownloadResult)[] = [];
      const started = Date.now();
      try {
        await eachLimited(files, Number(options.parallel) || 4, async (f) => {
          if (abort.signal.aborted) return;
          try {
            const result = await downloadFile({
              api, versionId, file: f, target: targets.get(f.path)!, signal: abort.signal,
              onStart: (done) => meter.start(f.path, f.size, done),
              onProgress: (done) => meter.update(f.path, done),
            });
            results.push({ ...f, ...result });
          } finally {
            meter.finish(f.path);
          }
        });
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      } finally {
        meter.stop();
        release();
      }
      if (abort.signal.aborted) throw new CliError(`interrupted: partial files are kept (*.modelhub-part); run the same command again to resume`, 'INTERRUPTED');
      const seconds = (Date.now() - started) / 1000;
      const bytesReceived = results.reduce((n, r) => n + r.bytesReceived, 0);
      const summary = {
        model: ref.model, version, versionId, directory: root,
        files: results.sort((a, b) => a.path.localeCompare(b.path)),
        bytesTotal: files.reduce((n, f) => n + f.size, 0),
        bytesReceived, seconds, mibPerSecond: seconds > 0 ? bytesReceived / 1048576 / seconds : null,
      };
      out.result(summary, () => `${ref.model}@${version}: ${results.length} files in ${root}, received ${formatBytes(bytesReceived)} in ${seconds.toFixed(1)} s, every sha256 checked`);
    });
}
