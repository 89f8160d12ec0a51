{{- define "modelhub.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 63 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "modelhub.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "modelhub.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "modelhub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ default (include "modelhub.fullname" .) .Values.serviceAccount.name }}{{- else -}}{{ default "default" .Values.serviceAccount.name }}{{- end -}}
{{- end -}}

{{- define "modelhub.image" -}}
{{- printf "%s:%s" .repository (default .root.Chart.AppVersion .root.Values.image.tag) -}}
{{- end -}}

{{/* The settings every process shares, inline (the migrate hook runs before any ConfigMap of this release exists). */}}
{{- define "modelhub.env" -}}
{{- $secret := required "secrets.existingSecret: name a Secret holding DATABASE_URL, JWT_SECRET, SECRETS_KEY, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (README, Kubernetes)" .Values.secrets.existingSecret -}}
- name: NODE_ENV
  value: production
- name: LOG_FORMAT
  value: json
- name: MIGRATE_ON_START
  value: "false"
- name: TEMPORAL_ADDRESS
  value: {{ required "temporal.address: the Temporal frontend, host:port" .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: TEMPORAL_TASK_QUEUE
  value: {{ .Values.temporal.taskQueue | quote }}
- name: CLAMD_HOST
  value: {{ required "clamd.host: the clamd every scan uses" .Values.clamd.host | quote }}
- name: CLAMD_PORT
  value: {{ .Values.clamd.port | quote }}
- name: ARTIFACT_STORE
  value: s3
{{- with .Values.s3.endpoint }}
- name: S3_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: S3_BUCKET
  value: {{ .Values.s3.bucket | quote }}
- name: S3_REGION
  value: {{ .Values.s3.region | quote }}
- name: S3_FORCE_PATH_STYLE
  value: {{ .Values.s3.forcePathStyle | quote }}
- name: STAGING_DIR
  value: /var/lib/modelhub/staging
- name: CACHE_DIR
  value: /var/lib/modelhub/cache
- name: EVAL_DATASETS_DIR
  value: /var/lib/modelhub/datasets
- name: EVAL_HUB_CACHE_DIR
  value: /var/lib/modelhub/hub-datasets
- name: TOOLS_DIR
  value: /var/lib/modelhub/tools
{{- range $name, $value := .Values.config }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- range $key := list "DATABASE_URL" "JWT_SECRET" "SECRETS_KEY" "AWS_ACCESS_KEY_ID" "AWS_SECRET_ACCESS_KEY" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef: { name: {{ $secret | quote }}, key: {{ $key }} }
{{- end }}
{{- range $key := list "HF_TOKEN" "METRICS_TOKEN" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef: { name: {{ $secret | quote }}, key: {{ $key }}, optional: true }
{{- end }}
{{- end -}}

{{- define "modelhub.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: {{ .seccomp }}
{{- end -}}

{{- define "modelhub.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}
