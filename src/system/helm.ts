import type { GoTool } from './go-tools';

/** Helm renders and lints deploy/helm/modelhub (its test; users install the chart with their own helm). */
export const HELM: GoTool = {
  name: 'helm',
  module: 'helm.sh/helm/v4/cmd/helm@v4.3.2',
  buildTime: 'about 6 minutes on 2 cores',
  hint: 'Install Go (apt-get install golang-go, or https://go.dev/dl) so Helm can be built once into the project\'s .tools/bin, or run `go install helm.sh/helm/v4/cmd/helm@v4.3.2` (puts it in ~/go/bin), or set HELM_PATH.',
  pathVar: 'HELM_PATH',
};
