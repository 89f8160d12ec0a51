import { ValidationError } from '../domain/common/domain-error';
import { type EvalSuite, EvalTaskKind } from '../domain/evaluation/eval-suite';
import { DEFAULT_LIMITS, DEFAULT_SETTINGS, SandboxUnavailableError, type SandboxSettings } from './code-sandbox';
import { runCodeTest } from './code-verdict';

/** What lets the sandbox start; README.md ("Code tasks and their sandbox") has the details. */
export const SANDBOX_HINT =
  'code tasks need bubblewrap (apt-get install bubblewrap), util-linux and python3 on the worker, and unprivileged user namespaces: sysctl ' +
  'user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1 where that exists, kernel.apparmor_restrict_unprivileged_userns=0 ' +
  '(Ubuntu 24.04+); in Docker --security-opt seccomp=unconfined, apparmor=unconfined and systempaths=unconfined; in ' +
  'Kubernetes the same through the pod\'s securityContext (seccompProfile and appArmorProfile Unconfined, procMount Unmasked)';

/** A suite with CODE tasks asked of a worker whose sandbox cannot start: refused before any request, never scored 0. */
export class CodeSandboxUnavailableError extends ValidationError {
  constructor(field: string, reason: string) {
    super(field, `CODE tasks cannot run here: the code sandbox does not start (${reason}); ${SANDBOX_HINT}`);
    Object.assign(this.details, { reason: 'CODE_SANDBOX_UNAVAILABLE' });
  }
}

export type ProbeResult = { ok: true } | { ok: false; reason: string };

// A host that cannot sandbox rarely learns to within a process's life, but an operator who fixes the sysctl should
// not have to restart every worker: a failure is probed again after a minute, a success is kept.
const RETRY_FAILED_MS = 60_000;
const probes = new Map<string, { result: Promise<ProbeResult>; failedAt: number | null }>();

const PROBE_TASK = {
  prompt: 'def inc(x):\n    """x + 1"""\n',
  completion: '    return x + 1\n',
  test: 'def check(candidate):\n    assert candidate(1) == 2\n    assert candidate((1, 2)[0]) == 2\n',
  entryPoint: 'inc',
};

/**
 * Starts the sandbox once with a known-good solution and its test, the whole way a code task runs (bwrap, limits,
 * checker, runner, nonce): only a pass proves that this worker can score code. The result is cached per settings.
 */
export function probeCodeSandbox(settings: SandboxSettings = DEFAULT_SETTINGS): Promise<ProbeResult> {
  const key = `${settings.bwrap}\0${settings.python}`;
  const cached = probes.get(key);
  if (cached && (cached.failedAt === null || Date.now() - cached.failedAt < RETRY_FAILED_MS)) return cached.result;
  const entry: { result: Promise<ProbeResult>; failedAt: number | null } = { result: probe(settings), failedAt: null };
  void entry.result.then((r) => { if (!r.ok) entry.failedAt = Date.now(); });
  probes.set(key, entry);
  return entry.result;
}

/** Never rejects: whatever stops the known-good run is the reason code tasks are refused. */
async function probe(settings: SandboxSettings): Promise<ProbeResult> {
  try {
    const verdict = await runCodeTest(PROBE_TASK, DEFAULT_LIMITS, settings);
    if (verdict.passed) return { ok: true };
    const { timedOut, exitCode, stderr } = verdict.result;
    const said = stderr.trim().split('\n').at(-1)?.slice(0, 200);
    return { ok: false, reason: `a known-good solution did not pass (${timedOut ? 'timed out' : `exit ${exitCode}`}${said ? `: ${said}` : ''})` };
  } catch (error) {
    return { ok: false, reason: error instanceof SandboxUnavailableError ? error.message : `the sandbox failed: ${(error as Error).message}` };
  }
}

/** Refuses a suite with CODE tasks when this process's sandbox does not start; a suite without them passes untouched. */
export async function requireCodeSandbox(suite: EvalSuite, settings: SandboxSettings = DEFAULT_SETTINGS): Promise<void> {
  const index = suite.tasks.findIndex((t) => t.kind === EvalTaskKind.CODE);
  if (index < 0) return;
  const result = await probeCodeSandbox(settings);
  if (!result.ok) throw new CodeSandboxUnavailableError(`suite.tasks[${index}].kind`, result.reason);
}
