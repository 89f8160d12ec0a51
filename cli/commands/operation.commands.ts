import type { Command } from 'commander';
import { contextOf } from '../cli-context';
import { CliError, ExitCode } from '../cli-errors';
import { describeOperation, type OperationState, watchOperation } from '../operation-watch';

/** Live until the operation ends; exit 0 when it SUCCEEDED, 1 when it FAILED or was CANCELLED. */
export async function followOperation(command: Command, id: string): Promise<OperationState> {
  const { api, out, bars } = await contextOf(command);
  const op = await watchOperation(api, id, bars, bars ? undefined : (line) => out.note(line));
  out.result(op, () => describeOperation(op));
  if (op.status !== 'SUCCEEDED') process.exitCode = ExitCode.FAILED;
  return op;
}

export function registerOperationCommands(program: Command): void {
  program
    .command('watch')
    .description('follow an operation (import, scan, evaluation, …) live until it ends')
    .argument('<operation>', 'operation id')
    .action(async (id: string, _options, command: Command) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(`"${id}" is not an operation id`, 'USAGE');
      await followOperation(command, id);
    });
}
