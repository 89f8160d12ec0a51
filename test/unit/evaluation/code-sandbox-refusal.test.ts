import { GraphQLError } from 'graphql';
import pino from 'pino';
import { EvalTaskKind, validateSuite } from '../../../src/domain/evaluation/eval-suite';
import { CodeSandboxUnavailableError, requireCodeSandbox } from '../../../src/evaluation/sandbox-probe';
import { createErrorFormatter } from '../../../src/graphql/errors';

describe('code tasks on a worker without a sandbox', () => {
  it('reach GraphQL clients as BAD_USER_INPUT naming the task and the reason, never masked', () => {
    const error = new CodeSandboxUnavailableError('suite.tasks[2].kind', 'bwrap: Creating new namespace failed');
    const format = createErrorFormatter({ fieldSuggestions: false, log: pino({ level: 'silent' }) });
    // As a resolver's error reaches the formatter: wrapped, with its path.
    const formatted = format({ message: error.message }, new GraphQLError(error.message, { originalError: error, path: ['runEvaluation'] }));
    expect(formatted.message).toMatch(/^suite\.tasks\[2\]\.kind: CODE tasks cannot run here: the code sandbox does not start \(bwrap: Creating new namespace failed\); code tasks need bubblewrap/);
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'suite.tasks[2].kind', reason: 'CODE_SANDBOX_UNAVAILABLE' });
  });

  it('leave suites without CODE tasks alone: nothing is probed', async () => {
    const suite = validateSuite({ name: 's', tasks: [{ name: 'capitals', kind: EvalTaskKind.EXACT_MATCH, dataset: 'capitals.jsonl' }] });
    await expect(requireCodeSandbox(suite, { bwrap: '/nonexistent/bwrap', python: '/nonexistent/python3' })).resolves.toBeUndefined();
  });
});
