import type { Command } from 'commander';
import { contextOf } from '../cli-context';
import { formatBytes, table } from '../cli-output';
import { parseRef, parseRelativeRef, resolveVersionId } from '../model-ref';
import { versionFiles } from '../version-files';

const SIDE = `query($id: ID!) { version(id: $id) { id version status aliases
  verifiedMetadata { architecture modelType parameterCount contextLength torchDtype quantization license baseModel }
  scans(first: 1) { status }
  model { evaluations { benchmark metric score provenance version { id } }
          benchmarks { hardwareProfile throughputTokensPerSecond ttftP99Ms provenance version { id } } } } }`;

interface Side {
  id: string;
  version: string;
  status: string;
  aliases: string[];
  verifiedMetadata: Record<string, unknown> | null;
  files: { path: string; size: string | number; sha256: string }[];
  scans: { status: string }[];
  model: {
    evaluations: { benchmark: string; metric: string | null; score: number; provenance: string; version: { id: string } }[];
    benchmarks: { hardwareProfile: string; throughputTokensPerSecond: number | null; ttftP99Ms: number | null; provenance: string; version: { id: string } }[];
  };
}

function filesDiff(a: Side, b: Side) {
  const left = new Map(a.files.map((f) => [f.path, f]));
  const right = new Map(b.files.map((f) => [f.path, f]));
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort();
  return paths
    .map((path) => {
      const l = left.get(path);
      const r = right.get(path);
      const change = !l ? 'added' : !r ? 'removed' : l.sha256 === r.sha256 ? 'same' : 'changed';
      return { path, change, sizeA: l ? Number(l.size) : null, sizeB: r ? Number(r.size) : null };
    })
    .filter((f) => f.change !== 'same');
}

function measurements(side: Side): Map<string, string> {
  const rows = new Map<string, string>();
  for (const e of side.model.evaluations.filter((x) => x.version.id === side.id)) rows.set(`eval ${e.benchmark}${e.metric ? `/${e.metric}` : ''} (${e.provenance})`, e.score.toFixed(4));
  for (const m of side.model.benchmarks.filter((x) => x.version.id === side.id)) {
    rows.set(`bench ${m.hardwareProfile} tok/s (${m.provenance})`, String(m.throughputTokensPerSecond ?? ''));
    rows.set(`bench ${m.hardwareProfile} ttft p99 ms (${m.provenance})`, String(m.ttftP99Ms ?? ''));
  }
  return rows;
}

export function registerDiffCommands(program: Command): void {
  program
    .command('diff')
    .description('two versions side by side: files, verified metadata, evaluations and benchmarks')
    .argument('<a>', '<model>@<version> or <model>:<alias>')
    .argument('<b>', '@<version>, :<alias> (same model) or another <model>@<version>')
    .action(async (aText: string, bText: string, _options, command: Command) => {
      const { api, out } = await contextOf(command);
      const aRef = parseRef(aText);
      const bRef = parseRelativeRef(bText, aRef);
      const [a, b] = await Promise.all(
        [aRef, bRef].map(async (ref) => {
          const { versionId } = await resolveVersionId(api, ref);
          const { version } = await api.query<{ version: Omit<Side, 'files'> }>(SIDE, { id: versionId });
          return { ...version, files: await versionFiles(api, versionId) };
        }),
      );
      const keys = [...new Set([...Object.keys(a.verifiedMetadata ?? {}), ...Object.keys(b.verifiedMetadata ?? {})])];
      const metadata = [['status', a.status, b.status], ['aliases', a.aliases.join(','), b.aliases.join(','), ], ['scan', a.scans[0]?.status ?? '', b.scans[0]?.status ?? '']]
        .concat(keys.map((k) => [k, JSON.stringify(a.verifiedMetadata?.[k] ?? null), JSON.stringify(b.verifiedMetadata?.[k] ?? null)]));
      const ma = measurements(a);
      const mb = measurements(b);
      const measured = [...new Set([...ma.keys(), ...mb.keys()])].sort().map((k) => [k, ma.get(k) ?? '', mb.get(k) ?? '']);
      const files = filesDiff(a, b);
      out.result({ a: { id: a.id, version: a.version }, b: { id: b.id, version: b.version }, metadata, files, measurements: measured }, () =>
        [
          table(['', a.version, b.version], metadata),
          files.length ? table(['file', 'change', a.version, b.version], files.map((f) => [f.path, f.change, formatBytes(f.sizeA), formatBytes(f.sizeB)])) : 'files: identical',
          measured.length ? table(['measurement', a.version, b.version], measured) : 'no evaluations or benchmarks',
        ].join('\n'),
      );
    });
}
