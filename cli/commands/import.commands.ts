import path from 'node:path';
import type { Command } from 'commander';
import { collect, contextOf } from '../cli-context';
import { usageError } from '../cli-errors';
import { describeOperation, OPERATION_FIELDS, type OperationState } from '../operation-watch';
import { followOperation } from './operation.commands';

const IMPORT = `mutation($input: ImportModelInput!) { importModel(input: $input) { ${OPERATION_FIELDS} } }`;

interface ImportOptions {
  name?: string;
  version?: string;
  project?: string;
  license?: string;
  tag?: string[];
  revision?: string;
  sha256?: string;
  fileName?: string;
  wait?: boolean;
}

/** A model name from a source's last segment, as a slug (`meta-llama/Llama-3.1-8B` → `llama-3-1-8b`). */
function slugOf(text: string): string {
  return text.replace(/\/+$/, '').split(/[\\/]/).pop()!.replace(/\.[a-z0-9]+$/i, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

function sourceOf(kind: string, location: string, o: ImportOptions): Record<string, unknown> {
  if (kind === 'hf') return { sourceType: 'HUGGING_FACE', repoId: location, revision: o.revision };
  if (kind === 'url') return { sourceType: 'URL', url: location, sha256: o.sha256, fileName: o.fileName };
  if (kind === 'disk') return { sourceType: 'DISK', path: path.resolve(location) };
  throw usageError(`unknown source "${kind}": hf, url or disk`);
}

export function registerImportCommands(program: Command): void {
  program
    .command('import')
    .description('import a model version from Hugging Face, a URL or a disk path (on the worker), then verify and scan it')
    .argument('<source>', 'hf | url | disk')
    .argument('<location>', 'repo id (org/name), URL, or path under DISK_IMPORT_ROOTS')
    .option('--name <model>', 'model name (default: a slug of the location)')
    .option('--version <semver>', 'version to create', '1.0.0')
    .option('--revision <rev>', 'hf: branch, tag or commit')
    .option('--sha256 <hex>', 'url: expected sha256 of the file')
    .option('--file-name <name>', 'url: name of the stored file')
    .option('--project <project>', 'project of a new model')
    .option('--license <id>', 'license id of a new model')
    .option('--tag <tag>', 'tag of a new model (repeatable)', collect)
    .option('--wait', 'follow the import until it ends (exit 1 if it fails)')
    .action(async (kind: string, location: string, options: ImportOptions, command: Command) => {
      const { api, out } = await contextOf(command);
      const input = {
        name: options.name ?? slugOf(location),
        version: options.version,
        project: options.project,
        license: options.license,
        tags: options.tag,
        source: sourceOf(kind, location, options),
      };
      const { importModel: op } = await api.query<{ importModel: OperationState }>(IMPORT, { input });
      if (options.wait) {
        out.note(`import ${op.id} started for ${input.name}@${input.version}`);
        await followOperation(command, op.id);
        return;
      }
      out.result(op, () => `${describeOperation(op)}\nfollow it: modelhub watch ${op.id}`);
    });
}
