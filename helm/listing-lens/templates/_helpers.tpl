{{/* Names: <release>-listing-lens, or the release name when it already says listing-lens. */}}
{{- define "listing-lens.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "listing-lens.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "listing-lens.labels" -}}
{{ include "listing-lens.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: listing-lens
{{- end -}}

{{/* The colour the preview Service selects: the one that is not active. */}}
{{- define "listing-lens.idleColor" -}}
{{- if eq .Values.activeColor "blue" }}green{{ else }}blue{{ end -}}
{{- end -}}

{{/* Redis address shared by both colours: the bundled Redis, or the external one. */}}
{{- define "listing-lens.redisHost" -}}
{{- if .Values.redis.deploy -}}
{{- printf "%s-redis" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- .Values.redis.host -}}
{{- end -}}
{{- end -}}

{{/* The claim holding one model version: an existing one, or the chart's <fullname>-model-<version>. */}}
{{- define "listing-lens.modelClaim" -}}
{{- $root := index . 0 -}}
{{- $version := index . 1 -}}
{{- $existing := index $root.Values.model.volume.existingClaims $version | default "" -}}
{{- if $existing -}}
{{- $existing -}}
{{- else -}}
{{- printf "%s-model-%s" (include "listing-lens.fullname" $root) ($version | lower | replace "_" "-" | replace "." "-") | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Model versions used by enabled colours, each once. */}}
{{- define "listing-lens.modelVersions" -}}
{{- $versions := list -}}
{{- range $color := list "blue" "green" -}}
{{- $c := index $.Values $color -}}
{{- if $c.enabled -}}
{{- $versions = append $versions (toString $c.model.version) -}}
{{- end -}}
{{- end -}}
{{- $versions | uniq | toJson -}}
{{- end -}}

{{/*
Checks between values that values.schema.json cannot express; each failure names the value to change.
*/}}
{{- define "listing-lens.validate" -}}
{{- $active := index .Values .Values.activeColor -}}
{{- if not $active.enabled -}}
{{- fail (printf "activeColor is %s but %s.enabled is false: the stable Service would select no pods" .Values.activeColor .Values.activeColor) -}}
{{- end -}}
{{- if and .Values.defaultTenant (not (has .Values.defaultTenant .Values.tenants)) -}}
{{- fail (printf "defaultTenant %q is not one of tenants %v" .Values.defaultTenant .Values.tenants) -}}
{{- end -}}
{{- range $color := list "blue" "green" -}}
{{- $c := index $.Values $color -}}
{{- range $tenant, $version := $c.pools -}}
{{- if not (has $tenant $.Values.tenants) -}}
{{- fail (printf "%s.pools pins tenant %q, which is not one of tenants %v" $color $tenant $.Values.tenants) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and (not .Values.redis.deploy) (not .Values.redis.host) -}}
{{- fail "redis.deploy is false, so redis.host must name the external Redis both colours share" -}}
{{- end -}}
{{- if and (eq .Values.storage.type "s3") (not .Values.storage.s3.bucket) -}}
{{- fail "storage.type is s3 but storage.s3.bucket is empty" -}}
{{- end -}}
{{- if and (eq .Values.storage.type "volume") (not .Values.storage.volume.claimName) -}}
{{- fail "storage.type is volume but storage.volume.claimName is empty" -}}
{{- end -}}
{{- if and (eq .Values.model.source "volume") (not .Values.model.volume.create) -}}
{{- range $v := include "listing-lens.modelVersions" . | fromJsonArray -}}
{{- if not (index $.Values.model.volume.existingClaims $v) -}}
{{- fail (printf "model.volume.create is false, so model.volume.existingClaims needs a claim for model version %q" $v) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- fail "autoscaling.minReplicas is above autoscaling.maxReplicas" -}}
{{- end -}}
{{- end -}}
