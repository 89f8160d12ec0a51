import type { Command } from 'commander';
import type * as tus from 'tus-js-client';
import type { ApiClient } from '../api-client';
import { contextOf } from '../cli-context';
import { CliError, ExitCode } from '../cli-errors';
import { formatBytes } from '../cli-output';
import { eachLimited, filesToUpload, type LocalFile, sha256Of } from '../local-files';
import { onInterrupt } from '../interrupt';
import { parseRef, requireVersion } from '../model-ref';
import { describeOperation, OPERATION_FIELDS, type OperationState, watchOperation } from '../operation-watch';
import { createMeter } from '../transfer-progress';
import { createStorage, tusUpload } from '../tus-transfer';
import { versionFiles } from '../version-files';

interface UploadOptions {
  prefix?: string;
  parallel: string;
  submit: boolean;
  wait?: boolean;
  project?: string;
}

interface Target {
  modelId: string;
  versionId: string;
  status: string;
  files: Map<string, { size: number; sha256: string }>;
}

const FIND = `query($name: String!) { modelByName(name: $name) { id versions { id version status } } }`;
const STATUS = `query($id: ID!) { version(id: $id) { status } }`;

/** The DRAFT version to upload into, creating the model (CUSTOM source) and the version when they do not exist. */
async function target(api: ApiClient, model: string, version: string, project: string | undefined, note: (t: string) => void): Promise<Target> {
  let found: { id: string; versions: { id: string; version: string; status: string }[] };
  try {
    found = (await api.query<{ modelByName: typeof found }>(FIND, { name: model })).modelByName;
  } catch (error) {
    if ((error as CliError).code !== 'NOT_FOUND') throw error;
    const { registerModel } = await api.query<{ registerModel: { id: string } }>(`mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, { input: { name: model, sourceType: 'CUSTOM', project } });
    note(`registered model ${model}`);
    found = { id: registerModel.id, versions: [] };
  }
  let versionId = found.versions.find((v) => v.version === version)?.id;
  if (!versionId) {
    const { createVersion } = await api.query<{ createVersion: { id: string } }>(`mutation($input: CreateVersionInput!) { createVersion(input: $input) { id } }`, { input: { modelId: found.id, version } });
    note(`created version ${model}@${version} (DRAFT)`);
    versionId = createVersion.id;
  }
  const { version: v } = await api.query<{ version: { status: string } }>(STATUS, { id: versionId });
  const files = await versionFiles(api, versionId);
  return { modelId: found.id, versionId, status: v.status, files: new Map(files.map((f) => [f.path, { size: f.size, sha256: f.sha256 }])) };
}

interface FileOutcome {
  path: string;
  size: number;
  sha256: string;
  status: 'present' | 'uploaded' | 'resumed';
  resumedFrom: number;
  bytesSent: number;
}

export function registerUploadCommands(program: Command): void {
  program
    .command('upload')
    .description('upload files or folders into a DRAFT version (resumable: run it again after Ctrl-C), then submit it')
    .argument('<model@version>', 'the version; model and version are created when missing')
    .argument('<paths...>', 'files and folders (a folder uploads its contents)')
    .option('--prefix <folder>', 'folder inside the version to upload into')
    .option('--parallel <n>', 'files uploaded at once', '4')
    .option('--no-submit', 'leave the version in DRAFT (more uploads to come)')
    .option('--wait', 'after submitting, follow the verification until it ends')
    .option('--project <project>', 'project of a model created by this upload')
    .action(async (refText: string, paths: string[], options: UploadOptions, command: Command) => {
      const { api, out, bars } = await contextOf(command);
      const ref = requireVersion(parseRef(refText), 'upload');
      const locals = await filesToUpload(paths, options.prefix);
      const t = await target(api, ref.model, ref.version, options.project, (line) => out.note(line));
      const hashes = new Map<string, string>();
      for (const f of locals) hashes.set(f.remote, await sha256Of(f.local));
      const present = (f: LocalFile) => t.files.get(f.remote)?.sha256 === hashes.get(f.remote);
      const todo = locals.filter((f) => !present(f));
      if (todo.length > 0 && t.status !== 'DRAFT') throw new CliError(`${ref.model}@${ref.version} is ${t.status}: its files can no longer change; upload into a new version`, 'CONFLICT');
      const outcomes: FileOutcome[] = locals.filter(present).map((f) => ({ path: f.remote, size: f.size, sha256: hashes.get(f.remote)!, status: 'present', resumedFrom: f.size, bytesSent: 0 }));
      const totalBytes = todo.reduce((n, f) => n + f.size, 0);
      const meter = createMeter(totalBytes, bars);
      const running = new Set<tus.Upload>();
      let interrupted = false;
      const release = onInterrupt(() => {
        interrupted = true;
        for (const upload of running) void upload.abort(false);
      });
      const started = Date.now();
      const storage = await createStorage();
      try {
        await eachLimited(todo, Number(options.parallel) || 4, async (f) => {
          if (interrupted) return;
          let upload: tus.Upload | null = null;
          const result = await new Promise<Awaited<ReturnType<typeof tusUpload>>>((resolve, reject) => {
            const checkAbort = setInterval(() => {
              if (interrupted) reject(new CliError('interrupted', 'INTERRUPTED'));
            }, 100);
            tusUpload({
              endpoint: `${api.settings.url}/files/uploads`,
              token: api.settings.token,
              versionId: t.versionId,
              file: f,
              sha256: hashes.get(f.remote)!,
              storage,
              onStart: (from) => meter.start(f.remote, f.size, from),
              onProgress: (done) => meter.update(f.remote, done),
              track: (u) => {
                upload = u;
                running.add(u);
              },
            }).then(resolve, reject).finally(() => clearInterval(checkAbort));
          }).finally(() => {
            if (upload) running.delete(upload);
            meter.finish(f.remote);
          });
          outcomes.push({ path: f.remote, size: f.size, sha256: hashes.get(f.remote)!, status: result.resumedFrom > 0 ? 'resumed' : 'uploaded', ...result });
        });
      } catch (error) {
        if (!interrupted) throw error;
      } finally {
        meter.stop();
        release();
      }
      if (interrupted) throw new CliError(`interrupted: what arrived is kept on the server; run the same command again to resume`, 'INTERRUPTED');
      const seconds = (Date.now() - started) / 1000;
      const bytesSent = outcomes.reduce((n, o) => n + o.bytesSent, 0);
      let operation: OperationState | null = null;
      if (options.submit && t.status === 'DRAFT') {
        operation = (await api.query<{ submitVersion: OperationState }>(`mutation($id: ID!) { submitVersion(versionId: $id) { ${OPERATION_FIELDS} } }`, { id: t.versionId })).submitVersion;
      }
      const summary: { operation: OperationState | null } & Record<string, unknown> = {
        model: ref.model,
        version: ref.version,
        versionId: t.versionId,
        files: outcomes.sort((a, b) => a.path.localeCompare(b.path)),
        bytesTotal: locals.reduce((n, f) => n + f.size, 0),
        bytesSent,
        seconds,
        mibPerSecond: seconds > 0 ? bytesSent / 1048576 / seconds : null,
        operation,
      };
      if (operation && options.wait) {
        out.note(`uploaded ${formatBytes(bytesSent)} in ${seconds.toFixed(1)} s; verifying (operation ${operation.id})`);
        summary.operation = await watchOperation(api, operation.id, bars, bars ? undefined : (line) => out.note(line));
        if (summary.operation.status !== 'SUCCEEDED') process.exitCode = ExitCode.FAILED;
      }
      out.result(summary, () => {
        const resumed = outcomes.filter((o) => o.status === 'resumed').length;
        const skipped = outcomes.filter((o) => o.status === 'present').length;
        const lines = [`${ref.model}@${ref.version}: ${outcomes.length} files, sent ${formatBytes(bytesSent)} in ${seconds.toFixed(1)} s${resumed ? `, ${resumed} resumed` : ''}${skipped ? `, ${skipped} already there` : ''}`];
        if (summary.operation && options.wait) lines.push(describeOperation(summary.operation));
        else if (operation) lines.push(`submitted: operation ${operation.id} (follow it: modelhub watch ${operation.id})`);
        else if (t.status === 'DRAFT') lines.push(`still a DRAFT: modelhub upload … again, or submit with modelhub upload ${refText} <paths> (without --no-submit)`);
        return lines.join('\n');
      });
    });
}
