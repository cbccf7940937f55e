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

{{/* The CA bundle of Redis's TLS certificate is mounted into both colours (redis.tls.ca.secret or .configMap). */}}
{{- define "listing-lens.redisCaMounted" -}}
{{- if and .Values.redis.tls.enabled (or .Values.redis.tls.ca.secret .Values.redis.tls.ca.configMap) }}true{{ end -}}
{{- end -}}

{{/*
Bytes in a size, as a float: (list "kubernetes" "1Gi") for a quantity (k, M, G, T, Ki, Mi, Gi, Ti), (list "redis" "600mb")
for a Redis size (k, m, g: powers of 1000; kb, mb, gb: powers of 1024).
*/}}
{{- define "listing-lens.bytes" -}}
{{- $kind := index . 0 -}}
{{- $size := toString (index . 1) -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $size -}}
{{- $unit := trimPrefix $number $size -}}
{{- $units := dict "" 1.0 "k" 1e3 "K" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 -}}
{{- if eq $kind "redis" -}}
{{- $units = dict "" 1.0 "k" 1e3 "m" 1e6 "g" 1e9 "kb" 1024.0 "mb" 1048576.0 "gb" 1073741824.0 -}}
{{- $unit = lower $unit -}}
{{- end -}}
{{- if not (hasKey $units $unit) -}}
{{- fail (printf "cannot read the size %q" $size) -}}
{{- end -}}
{{- mulf (float64 $number) (index $units $unit) -}}
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
{{- if and .Values.redis.deploy (not .Values.redis.passwordSecret.name) -}}
{{- fail "redis.passwordSecret.name is required when the chart deploys Redis (redis.deploy=true): name a Secret holding the Redis password (key redis.passwordSecret.key)" -}}
{{- end -}}
{{- $ca := .Values.redis.tls.ca -}}
{{- if and $ca.secret $ca.configMap -}}
{{- fail "redis.tls.ca.secret and redis.tls.ca.configMap are both set: the CA bundle comes from one of them" -}}
{{- end -}}
{{- if and (or $ca.secret $ca.configMap) (not .Values.redis.tls.enabled) -}}
{{- fail "redis.tls.ca names a CA bundle but redis.tls.enabled is false" -}}
{{- end -}}
{{- if and .Values.redis.deploy .Values.redis.tls.enabled (not .Values.redis.tls.certSecret) -}}
{{- fail "redis.tls.enabled with redis.deploy=true needs redis.tls.certSecret: a kubernetes.io/tls Secret (tls.crt, tls.key) whose certificate names the bundled Redis's Service" -}}
{{- end -}}
{{- if .Values.redis.deploy -}}
{{- if not .Values.redis.maxmemory -}}
{{- fail "redis.maxmemory is required when the chart deploys Redis: without it Redis grows until the container is OOM-killed" -}}
{{- end -}}
{{- $limit := dig "limits" "memory" "" .Values.redis.resources -}}
{{- if $limit -}}
{{- $max := include "listing-lens.bytes" (list "redis" .Values.redis.maxmemory) | float64 -}}
{{- $lim := include "listing-lens.bytes" (list "kubernetes" $limit) | float64 -}}
{{- if gt $max (mulf $lim 0.75) -}}
{{- fail (printf "redis.maxmemory %v is above 75%% of redis.resources.limits.memory %v: the append-only file's rewrite forks and buffers come on top, so Redis would be OOM-killed" .Values.redis.maxmemory $limit) -}}
{{- end -}}
{{- end -}}
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
