import type { Command } from 'commander';
import { collect, contextOf } from '../cli-context';
import { fields, formatBytes, formatCount, table } from '../cli-output';
import { parseRef, resolveVersionId } from '../model-ref';
import { versionFiles } from '../version-files';

const MODELS = `query($first: Int, $after: String, $orderBy: ModelOrder, $filter: ModelFilterInput) {
  models(first: $first, after: $after, orderBy: $orderBy, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name project status architecture parameterCount license { id } defaultVersion { version } tags updatedAt } }
  } }`;

interface ModelRow {
  id: string;
  name: string;
  project: string | null;
  status: string;
  architecture: string | null;
  parameterCount: string | number | null;
  license: { id: string } | null;
  defaultVersion: { version: string } | null;
  tags: string[];
  updatedAt: string;
}

interface ListOptions {
  tag?: string[];
  status?: string[];
  arch?: string;
  license?: string;
  minParams?: string;
  maxParams?: string;
  modality?: string;
  endpoint?: string;
  owner?: string;
  project?: string;
  source?: string;
  order?: string;
  first?: string;
  after?: string;
}

function filterOf(text: string | undefined, o: ListOptions): Record<string, unknown> {
  const filter: Record<string, unknown> = {
    search: text,
    tags: o.tag,
    status: o.status?.map((s) => s.toUpperCase()),
    architecture: o.arch,
    license: o.license,
    minParameters: o.minParams,
    maxParameters: o.maxParams,
    modality: o.modality?.toUpperCase(),
    endpoint: o.endpoint?.toUpperCase(),
    owner: o.owner,
    project: o.project,
    sourceType: o.source?.toUpperCase(),
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
}

function listCommand(program: Command, name: string, description: string): void {
  program
    .command(name)
    .description(description)
    .argument('[text]', 'free text: name, display name and description (substring) or a tag (exact)')
    .option('--tag <tag>', 'has this tag (repeatable: all of them)', collect)
    .option('--status <stage>', 'lifecycle stage (repeatable: any of them)', collect)
    .option('--arch <architecture>', 'architecture, e.g. LlamaForCausalLM')
    .option('--license <id>', 'license id')
    .option('--min-params <n>', 'at least this many parameters')
    .option('--max-params <n>', 'at most this many parameters')
    .option('--modality <m>', 'input modality (TEXT, IMAGE, …)')
    .option('--endpoint <e>', 'endpoint type (CHAT, COMPLETION, EMBEDDING, …)')
    .option('--owner <owner>', 'owner')
    .option('--project <project>', 'project')
    .option('--source <type>', 'source type (HUGGING_FACE, URL, DISK, CUSTOM, CLOUD)')
    .option('--order <order>', 'CREATED_AT_DESC, UPDATED_AT_DESC, NAME_ASC, PARAMETER_COUNT_DESC, …', 'CREATED_AT_DESC')
    .option('--first <n>', 'page size', '20')
    .option('--after <cursor>', 'the endCursor of the previous page')
    .action(async (text: string | undefined, options: ListOptions, command: Command) => {
      const { api, out } = await contextOf(command);
      const variables = { first: Number(options.first), after: options.after, orderBy: options.order?.toUpperCase(), filter: filterOf(text, options) };
      const { models } = await api.query<{ models: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: ModelRow }[] } }>(MODELS, variables);
      const rows = models.edges.map((e) => e.node);
      out.result({ totalCount: models.totalCount, pageInfo: models.pageInfo, models: rows }, () => {
        const body = table(
          ['name', 'project', 'status', 'architecture', 'params', 'license', 'default', 'tags'],
          rows.map((m) => [m.name, m.project ?? 'default', m.status, m.architecture, formatCount(m.parameterCount), m.license?.id, m.defaultVersion?.version, m.tags.join(',')]),
        );
        const more = models.pageInfo.hasNextPage ? `\nmore: --after ${models.pageInfo.endCursor}` : '';
        return `${body}\n${rows.length} of ${models.totalCount}${more}`;
      });
    });
}

const MODEL = `query($name: String!) { modelByName(name: $name) {
  id name displayName description project status architecture parameterCount contextLength license { id } tags owner sourceType sourceUri createdBy createdAt
  defaultVersion { version } aliases { name protected version { version } }
  versions { id version status createdAt aliases }
  latestScan { status } } }`;

const VERSION = `query($id: ID!) { version(id: $id) {
  id version status statusReason filesComplete sourceRevision createdBy createdAt aliases downloadCount
  verifiedMetadata { architecture parameterCount contextLength torchDtype quantization }
  model { name project }
  scans(first: 1) { status criticalCount highCount filesScanned completedAt }
  transitions(first: 20) { fromStatus toStatus actor reason occurredAt } } }`;

export function registerCatalogCommands(program: Command): void {
  listCommand(program, 'ls', 'list models (newest first), with the catalog filters');
  listCommand(program, 'search', 'search models by text and filters (same as ls)');

  program
    .command('show')
    .description('a model (its versions and aliases), or one version (files, scan, history)')
    .argument('<ref>', '<model>, <model>@<version> or <model>:<alias>')
    .action(async (refText: string, _options, command: Command) => {
      const { api, out } = await contextOf(command);
      const ref = parseRef(refText);
      if (!ref.version && !ref.alias) {
        const { modelByName: m } = await api.query<{ modelByName: Record<string, any> }>(MODEL, { name: ref.model }); // eslint-disable-line @typescript-eslint/no-explicit-any -- printed as the API answers it
        out.result(m, () =>
          [
            fields([
              ['name', m.name], ['display name', m.displayName], ['project', m.project ?? 'default'], ['status', m.status],
              ['architecture', m.architecture], ['parameters', formatCount(m.parameterCount)], ['context', m.contextLength],
              ['license', m.license?.id], ['tags', m.tags], ['source', [m.sourceType, m.sourceUri].filter(Boolean).join(' ')],
              ['default', m.defaultVersion?.version], ['latest scan', m.latestScan?.status], ['created', `${m.createdAt} by ${m.createdBy}`],
            ]),
            table(['version', 'status', 'aliases', 'created'], m.versions.map((v: Record<string, any>) => [v.version, v.status, v.aliases.join(','), v.createdAt])), // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
          ].join('\n'),
        );
        return;
      }
      const { versionId } = await resolveVersionId(api, ref);
      const { version: v } = await api.query<{ version: Record<string, any> }>(VERSION, { id: versionId }); // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
      v.files = await versionFiles(api, versionId);
      out.result(v, () =>
        [
          fields([
            ['model', v.model.name], ['version', v.version], ['id', v.id], ['status', v.status], ['reason', v.statusReason],
            ['aliases', v.aliases], ['files complete', v.filesComplete], ['revision', v.sourceRevision],
            ['architecture', v.verifiedMetadata?.architecture], ['parameters', formatCount(v.verifiedMetadata?.parameterCount)],
            ['dtype', v.verifiedMetadata?.torchDtype], ['scan', v.scans[0] ? `${v.scans[0].status} (${v.scans[0].filesScanned} files, ${v.scans[0].criticalCount} critical, ${v.scans[0].highCount} high)` : 'none'],
            ['downloads', v.downloadCount], ['created', `${v.createdAt} by ${v.createdBy}`],
          ]),
          table(['path', 'size', 'format', 'sha256'], v.files.map((f: Record<string, any>) => [f.path, formatBytes(f.size), f.format, String(f.sha256).slice(0, 16)])), // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
        ].join('\n'),
      );
    });
}
