import { ensureGoTool, findGoTool, type GoTool } from '../system/go-tools';

/** v1.6+ carry `replace` directives in go.mod, which `go install` refuses; v1.5.1 builds. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export const INSTALL_HINT =
  `Install Go (https://go.dev/dl, or apt-get install golang-go) so the Temporal CLI can be built once into the ` +
  `project's .tools/bin, or build it yourself: \`go install ${TEMPORAL_CLI_MODULE}\` (puts it in ~/go/bin), ` +
  'or set TEMPORAL_CLI_PATH, or point TEMPORAL_ADDRESS at a running server.';

const TEMPORAL_CLI: GoTool = { name: 'temporal', module: TEMPORAL_CLI_MODULE, buildTime: 'about 8 minutes on 2 cores', hint: INSTALL_HINT, pathVar: 'TEMPORAL_CLI_PATH' };

/** The `temporal` executable: TEMPORAL_CLI_PATH, then PATH, then Go's default bin folder, then the project's tools folder. */
export function findTemporalCli(explicit: string | null, toolsDir?: string): string | null {
  return findGoTool(TEMPORAL_CLI, explicit, toolsDir);
}

/** Finds the CLI or, when there is none and Go is installed, builds it once into `<toolsDir>/bin` (git-ignored). */
export function ensureTemporalCli(explicit: string | null, toolsDir: string, progress: (line: string) => void): Promise<string> {
  return ensureGoTool(TEMPORAL_CLI, explicit, toolsDir, progress);
}
