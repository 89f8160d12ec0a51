import type { Command } from 'commander';
import type { ApiClient } from '../api-client';
import { contextOf } from '../cli-context';
import { CliError, usageError } from '../cli-errors';
import { fields, table } from '../cli-output';
import { modelIds, parseRef, requireVersion, resolveVersionId } from '../model-ref';

const REQUEST_FIELDS = `id state target requestedBy justification requiredApprovals decidedBy decisionReason
  approvals { approver comment } evidence { gates { gate passed detail } } decisionEvidence { gates { gate passed detail } }
  model { name } version { version status }`;

interface RequestView {
  id: string;
  state: string;
  target: string;
  requestedBy: string;
  requiredApprovals: number;
  decidedBy: string | null;
  decisionReason: string | null;
  approvals: { approver: string }[];
  evidence: { gates: { gate: string; passed: boolean; detail: string | null }[] };
  /** The gates as the decision saw them (approvals included); null while the request is open. */
  decisionEvidence: { gates: { gate: string; passed: boolean; detail: string | null }[] } | null;
  model: { name: string };
  version: { version: string; status: string };
}

function describeRequest(r: RequestView): string {
  return [
    fields([
      ['request', r.id], ['model', `${r.model.name}@${r.version.version} (${r.version.status})`], ['target', r.target], ['state', r.state],
      ['requested by', r.requestedBy], ['approvals', `${r.approvals.length}/${r.requiredApprovals} ${r.approvals.map((a) => a.approver).join(', ')}`.trim()],
      ['decided by', r.decidedBy], ['reason', r.decisionReason],
    ]),
    // A decided request shows the gates it was decided on; the snapshot taken when it was asked would still say
    // "0 of 1 approvals" right after the approval that published it.
    table([r.decisionEvidence ? 'gate (at the decision)' : 'gate', 'passed', 'detail'], (r.decisionEvidence ?? r.evidence).gates.map((g) => [g.gate, g.passed ? 'yes' : 'NO', g.detail])),
  ].join('\n');
}

/** Long reasons (a scan's findings) stay readable in a table; --json has them whole. */
function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A request id, or `<model>@<version>` for that version's one OPEN request. */
async function requestIdOf(api: ApiClient, text: string): Promise<string> {
  if (UUID.test(text)) return text;
  const { versionId } = await resolveVersionId(api, requireVersion(parseRef(text), 'this command'));
  const { version } = await api.query<{ version: { promotionRequests: { id: string; state: string }[] } }>(`query($id: ID!) { version(id: $id) { promotionRequests(first: 20) { id state } } }`, { id: versionId });
  const open = version.promotionRequests.filter((r) => r.state === 'OPEN');
  if (open.length !== 1) throw new CliError(`${text} has ${open.length} open promotion requests: give the request id`, open.length === 0 ? 'NOT_FOUND' : 'BAD_USER_INPUT');
  return open[0].id;
}

const NEXT: ReadonlyMap<string, string> = new Map([['VERIFIED', 'EVALUATED'], ['EVALUATED', 'PUBLISHED']]);

function registerDecisions(program: Command): void {
  program
    .command('promote')
    .description('ask to promote a version (to the next stage by default); gates are checked now')
    .argument('<model@version>')
    .requiredOption('-m, --justification <text>', 'why (kept with the request)')
    .option('--to <stage>', 'EVALUATED or PUBLISHED (default: the next stage)')
    .action(async (refText: string, options: { justification: string; to?: string }, command: Command) => {
      const { api, out } = await contextOf(command);
      const { versionId } = await resolveVersionId(api, requireVersion(parseRef(refText), 'promote'));
      let target = options.to?.toUpperCase();
      if (!target) {
        const { version } = await api.query<{ version: { status: string } }>(`query($id: ID!) { version(id: $id) { status } }`, { id: versionId });
        target = NEXT.get(version.status);
        if (!target) throw usageError(`${refText} is ${version.status}: give --to`);
      }
      const { requestPromotion } = await api.query<{ requestPromotion: RequestView }>(
        `mutation($v: ID!, $t: LifecycleStage!, $j: String!) { requestPromotion(versionId: $v, target: $t, justification: $j) { ${REQUEST_FIELDS} } }`,
        { v: versionId, t: target, j: options.justification },
      );
      out.result(requestPromotion, () => describeRequest(requestPromotion));
    });

  program
    .command('approve')
    .description('approve a promotion request (an approver other than the requester)')
    .argument('<request>', 'request id, or <model>@<version> with one open request')
    .option('-m, --comment <text>')
    .action(async (text: string, options: { comment?: string }, command: Command) => {
      const { api, out } = await contextOf(command);
      const id = await requestIdOf(api, text);
      const { approvePromotion } = await api.query<{ approvePromotion: RequestView }>(`mutation($id: ID!, $c: String) { approvePromotion(requestId: $id, comment: $c) { ${REQUEST_FIELDS} } }`, { id, c: options.comment });
      out.result(approvePromotion, () => describeRequest(approvePromotion));
    });

  program
    .command('reject')
    .description('reject a promotion request')
    .argument('<request>', 'request id, or <model>@<version> with one open request')
    .requiredOption('-m, --reason <text>')
    .action(async (text: string, options: { reason: string }, command: Command) => {
      const { api, out } = await contextOf(command);
      const id = await requestIdOf(api, text);
      const { rejectPromotion } = await api.query<{ rejectPromotion: RequestView }>(`mutation($id: ID!, $r: String!) { rejectPromotion(requestId: $id, reason: $r) { ${REQUEST_FIELDS} } }`, { id, r: options.reason });
      out.result(rejectPromotion, () => describeRequest(rejectPromotion));
    });
}

function registerAliases(program: Command): void {
  const alias = program.command('alias').description('named pointers to versions (production, staging, …)');
  alias
    .command('set')
    .argument('<model>')
    .argument('<name>')
    .argument('<version>')
    .option('-m, --reason <text>')
    .action(async (model: string, name: string, version: string, options: { reason?: string }, command: Command) => {
      const { api, out } = await contextOf(command);
      const { modelId, versionId } = await resolveVersionId(api, { model, version, alias: null });
      const { setAlias } = await api.query<{ setAlias: { name: string; protected: boolean; version: { version: string } } }>(
        `mutation($m: ID!, $n: String!, $v: ID!, $r: String) { setAlias(modelId: $m, name: $n, versionId: $v, reason: $r) { name protected version { version } } }`,
        { m: modelId, n: name, v: versionId, r: options.reason },
      );
      out.result(setAlias, () => `${model}:${setAlias.name} → ${setAlias.version.version}${setAlias.protected ? ' (protected)' : ''}`);
    });
  alias
    .command('rm')
    .argument('<model>')
    .argument('<name>')
    .option('-m, --reason <text>')
    .action(async (model: string, name: string, options: { reason?: string }, command: Command) => {
      const { api, out } = await contextOf(command);
      const { id } = await modelIds(api, model);
      const { removeAlias } = await api.query<{ removeAlias: boolean }>(`mutation($m: ID!, $n: String!, $r: String) { removeAlias(modelId: $m, name: $n, reason: $r) }`, { m: id, n: name, r: options.reason });
      out.result({ model, alias: name, removed: removeAlias }, () => (removeAlias ? `removed ${model}:${name}` : `${model} had no alias ${name}`));
    });
}

function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('the audit trail (oldest first), of one model or of everything you may read')
    .argument('[model]')
    .option('--actor <subject>')
    .option('--action <action>', 'e.g. version.moved, alias.set, promotion.applied')
    .option('--since <iso-date>')
    .option('--first <n>', 'page size', '50')
    .option('--after <cursor>')
    .action(async (model: string | undefined, o: { actor?: string; action?: string; since?: string; first: string; after?: string }, command: Command) => {
      const { api, out } = await contextOf(command);
      const modelId = model ? (await modelIds(api, model)).id : undefined;
      const { auditLog } = await api.query<{ auditLog: { edges: { node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
        `query($m: ID, $a: String, $act: String, $s: DateTimeISO, $f: Int, $after: String) { auditLog(modelId: $m, actor: $a, action: $act, since: $s, first: $f, after: $after) {
          edges { node { id occurredAt actor action project modelId versionId reason details } } pageInfo { hasNextPage endCursor } } }`,
        { m: modelId, a: o.actor, act: o.action, s: o.since, f: Number(o.first), after: o.after },
      );
      const entries = auditLog.edges.map((e) => e.node);
      out.result({ entries, pageInfo: auditLog.pageInfo }, () => {
        const body = table(['when', 'actor', 'action', 'reason'], entries.map((e) => [String(e.occurredAt), String(e.actor), String(e.action), clip((e.reason as string | null) ?? '', 100)]));
        return auditLog.pageInfo.hasNextPage ? `${body}\nmore: --after ${auditLog.pageInfo.endCursor}` : body;
      });
    });
}

export function registerGovernanceCommands(program: Command): void {
  registerDecisions(program);
  registerAliases(program);
  registerAudit(program);
}
