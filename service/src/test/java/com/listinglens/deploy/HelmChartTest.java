package com.listinglens.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart (helm/listing-lens), rendered by Helm itself (helm-java bundles it) for several values sets and
 * parsed with fabric8's Kubernetes model: the blue-green invariants hold for every set, and bad values fail at install
 * time with a message naming the value.
 */
class HelmChartTest {

    static final Path CHART = com.listinglens.support.Root.path().resolve("helm/listing-lens");

    /**
     * What values.yaml leaves for every install to give: the Secret of the bundled Redis's password. The values set
     * "defaults" is values.yaml with these; "bare" is values.yaml alone (which does not render).
     */
    static final Map<String, Object> REQUIRED = Map.of("redis.passwordSecret.name", "lens-redis");

    /** The values sets: the chart's defaults, then every file of helm/listing-lens/ci/. */
    static Stream<String> valuesSets() throws Exception {
        List<String> sets = new ArrayList<>();
        sets.add("defaults");
        try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("-values.yaml")).sorted().forEach(sets::add);
        }
        assertThat(sets).hasSizeGreaterThanOrEqualTo(4);
        return sets.stream();
    }

    @Test
    void helmLintPasses() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void bothColoursRunTheirOwnVersionsBehindOneStableService(String set) {
        Rendered r = render(set, Map.of());
        Map<String, Object> values = r.values;
        String active = (String) values.get("activeColor");
        String idle = active.equals("blue") ? "green" : "blue";

        for (String color : List.of("blue", "green")) {
            Map<String, Object> c = map(values.get(color));
            if (!Boolean.TRUE.equals(c.get("enabled"))) {
                assertThat(r.deployment(color)).as("%s is disabled", color).isNull();
                continue;
            }
            Deployment d = r.deployment(color);
            assertThat(d).as("the %s Deployment", color).isNotNull();
            assertThat(d.getSpec().getSelector().getMatchLabels()).containsEntry("listing-lens.io/color", color);
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("listing-lens.io/color", color);
            Container app = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            // its own image tag, model version and pool versions
            assertThat(app.getImage()).endsWith(":" + map(c.get("image")).get("tag"));
            assertThat(env(app, "LENS_MODEL_VERSION")).isEqualTo(String.valueOf(map(c.get("model")).get("version")));
            Map<String, Object> pools = map(c.get("pools"));
            List<String> pins = new ArrayList<>();
            pools.forEach((t, v) -> pins.add(t + "=" + v));
            assertThat(env(app, "LENS_POOL_VERSIONS")).isEqualTo(String.join(",", pins));
            assertThat(env(app, "LENS_TENANTS")).isNotBlank();
            // log lines as JSON objects for log shippers (plain text outside the images and the chart)
            assertThat(env(app, "QUARKUS_LOG_CONSOLE_JSON_ENABLED")).isEqualTo("true");
            // probes: startup waits on readiness (model and pools loaded), liveness only once started
            // health on the management port, which the pod declares and no Service exposes
            assertThat(app.getPorts()).extracting(p -> p.getName() + "/" + p.getContainerPort()).containsExactlyInAnyOrder("http/8080", "management/9000");
            assertThat(env(app, "QUARKUS_MANAGEMENT_PORT")).isEqualTo("9000");
            assertProbe(app.getStartupProbe(), "/q/health/ready");
            assertThat(app.getStartupProbe().getFailureThreshold() * app.getStartupProbe().getPeriodSeconds()).isGreaterThanOrEqualTo(300);
            assertProbe(app.getReadinessProbe(), "/q/health/ready");
            assertProbe(app.getLivenessProbe(), "/q/health/live");
            // resources: requests and a memory limit always
            assertThat(app.getResources().getRequests()).containsKeys("cpu", "memory");
            assertThat(app.getResources().getLimits()).containsKey("memory");
            // non-root, read-only root file system
            assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(app.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            // the model: a read-only volume of this colour's version, or the store
            if ("volume".equals(map(values.get("model")).get("source"))) {
                VolumeMount mount = mount(app, "model");
                assertThat(mount.getReadOnly()).as("model volume mounted read-only").isTrue();
                assertThat(mount.getMountPath()).isEqualTo(env(app, "LENS_MODEL_DIRECTORY"));
                Volume volume = volume(d, "model");
                assertThat(volume.getPersistentVolumeClaim().getReadOnly()).isTrue();
                PersistentVolumeClaim claim = r.claim(volume.getPersistentVolumeClaim().getClaimName());
                assertThat(claim).as("claim %s", volume.getPersistentVolumeClaim().getClaimName()).isNotNull();
                assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadOnlyMany");
                assertThat(claim.getMetadata().getLabels()).containsEntry("listing-lens.io/model-version",
                        String.valueOf(map(c.get("model")).get("version")));
                assertThat(env(app, "LENS_MODEL_SOURCE")).isEqualTo("directory");
            } else {
                assertThat(env(app, "LENS_MODEL_SOURCE")).isEqualTo("store");
                assertThat(app.getVolumeMounts()).noneMatch(m -> m.getName().equals("model"));
            }
            if ("volume".equals(map(values.get("storage")).get("type"))) {
                assertThat(mount(app, "pools").getReadOnly()).isTrue();
                assertThat(env(app, "LENS_STORAGE_TYPE")).isEqualTo("directory");
            } else {
                assertThat(env(app, "LENS_STORAGE_TYPE")).isEqualTo("s3");
                assertThat(env(app, "LENS_STORAGE_S3_BUCKET")).isEqualTo(map(map(values.get("storage")).get("s3")).get("bucket"));
            }
        }

        // the stable Service selects the active colour only, the preview Service the idle one
        Service stable = r.service("stable");
        Service preview = r.service("preview");
        assertThat(stable.getSpec().getSelector()).containsEntry("listing-lens.io/color", active);
        assertThat(preview.getSpec().getSelector()).containsEntry("listing-lens.io/color", idle);
        // neither Service exposes the management port (health, metrics, status): only the pods' http port
        for (Service s : List.of(stable, preview)) {
            assertThat(s.getSpec().getPorts()).extracting(p -> p.getTargetPort().getStrVal()).containsExactly("http");
        }
        for (String color : List.of("blue", "green")) {
            Deployment d = r.deployment(color);
            if (d != null) {
                Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
                assertThat(selects(stable, podLabels)).as("stable Service selects %s", color).isEqualTo(color.equals(active));
                assertThat(selects(preview, podLabels)).as("preview Service selects %s", color).isEqualTo(!color.equals(active));
            }
        }

        // both colours share one Redis
        List<Deployment> deployments = r.all(Deployment.class);
        assertThat(deployments).isNotEmpty();
        List<String> redis = deployments.stream().map(d -> {
            Container app = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            return env(app, "LENS_REDIS_HOST") + ":" + env(app, "LENS_REDIS_PORT") + "/" + env(app, "LENS_REDIS_DATABASE");
        }).distinct().toList();
        assertThat(redis).as("Redis of every colour").hasSize(1);
        Map<String, Object> redisValues = map(values.get("redis"));
        if (Boolean.TRUE.equals(redisValues.get("deploy"))) {
            String host = redis.get(0).substring(0, redis.get(0).indexOf(':'));
            assertThat(r.all(Service.class)).anyMatch(s -> s.getMetadata().getName().equals(host));
            StatefulSet sts = r.all(StatefulSet.class).stream().filter(s -> s.getMetadata().getName().equals(host)).findFirst().orElseThrow();
            assertThat(String.join(" ", sts.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()))
                    .contains("--appendonly yes").contains("--requirepass \"$REDIS_PASSWORD\"").contains("--maxmemory ");
        } else {
            assertThat(redis.get(0)).startsWith(redisValues.get("host") + ":" + redisValues.get("port"));
            assertThat(r.all(StatefulSet.class)).isEmpty();
        }
        // a disruption budget per running colour
        assertThat(r.all(PodDisruptionBudget.class)).hasSize(deployments.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void switchingColoursMovesOnlyTheServicesSelectors(String set) {
        Rendered before = render(set, Map.of());
        String active = (String) before.values.get("activeColor");
        String idle = active.equals("blue") ? "green" : "blue";
        if (!Boolean.TRUE.equals(map(before.values.get(idle)).get("enabled"))) {
            // the idle colour was removed: switching to it is refused
            assertThatThrownBy(() -> render(set, Map.of("activeColor", idle)))
                    .hasMessageContaining("activeColor is " + idle + " but " + idle + ".enabled is false");
            return;
        }
        Rendered after = render(set, Map.of("activeColor", idle));
        assertThat(after.service("stable").getSpec().getSelector()).containsEntry("listing-lens.io/color", idle);
        assertThat(after.service("preview").getSpec().getSelector()).containsEntry("listing-lens.io/color", active);
        for (String color : List.of("blue", "green")) {
            // the pods are untouched, so the switch restarts nothing and a rollback is instant
            assertThat(after.deployment(color).getSpec().getTemplate())
                    .isEqualTo(before.deployment(color).getSpec().getTemplate());
        }
        assertThat(after.all(PersistentVolumeClaim.class)).isEqualTo(before.all(PersistentVolumeClaim.class));
    }

    @Test
    void theS3ReleaseHasItsSecretsMonitorAndOneClaimPerModelVersion() {
        Rendered r = render("s3-values.yaml", Map.of());
        Container blue = r.deployment("blue").getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(blue, "LENS_POOL_VERSIONS")).isEqualTo("default=20261123T140317Z-2721,shop-de=20261123T141000Z-5120");
        assertThat(secretRef(blue, "LENS_STORAGE_S3_ACCESS_KEY")).isEqualTo("listing-lens-s3/access-key");
        assertThat(secretRef(blue, "LENS_ADMIN_TOKEN")).isEqualTo("listing-lens-admin/token");
        assertThat(env(blue, "LENS_STORAGE_PREFIX")).isEqualTo("listing-lens/prod");
        // two model versions in use: two claims, each kept when a release stops using it
        assertThat(r.all(PersistentVolumeClaim.class)).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("lens-listing-lens-model-mobilenet-v2-2026-11", "lens-listing-lens-model-mobilenet-v2-2026-12");
        assertThat(r.all(PersistentVolumeClaim.class)).allSatisfy(c ->
                assertThat(c.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep"));
        GenericKubernetesResource monitor = r.all(GenericKubernetesResource.class).stream()
                .filter(g -> g.getKind().equals("PodMonitor")).findFirst().orElseThrow();
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        Map<String, Object> spec = map(monitor.getAdditionalProperties().get("spec"));
        // metrics are scraped on the pods' management port, which no Service exposes
        assertThat(spec.get("podMetricsEndpoints").toString()).contains("path=/q/metrics").contains("port=management");
        // the PodMonitor's selector matches every pod of both colours
        Map<String, String> match = stringMap(map(spec.get("selector")).get("matchLabels"));
        for (String colour : List.of("blue", "green")) {
            assertThat(r.deployment(colour).getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(match);
        }
    }

    @Test
    void volumesAreBoundToTheirPreProvisionedVersions() {
        Rendered r = render("volume-values.yaml", Map.of());
        Map<String, String> bound = new LinkedHashMap<>();
        r.all(PersistentVolumeClaim.class).forEach(c -> bound.put(c.getMetadata().getLabels().get("listing-lens.io/model-version"),
                c.getSpec().getVolumeName()));
        assertThat(bound).containsOnly(Map.entry("v1", "listing-lens-model-v1"), Map.entry("v2", "listing-lens-model-v2"));
        assertThat(r.all(PersistentVolumeClaim.class)).allSatisfy(c -> assertThat(c.getSpec().getStorageClassName()).isEqualTo("nfs-ro"));
        assertThat(volume(r.deployment("green"), "pools").getPersistentVolumeClaim().getClaimName()).isEqualTo("listing-lens-pools");
    }

    @Test
    void theGpuReleaseAsksForAGpuAndTheActiveColourScales() {
        Rendered r = render("external-redis-values.yaml", Map.of());
        Deployment blue = r.deployment("blue");
        Container app = blue.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(app.getImage()).isEqualTo("listing-lens-gpu:0.2.0");
        assertThat(app.getResources().getLimits()).containsKey("nvidia.com/gpu").containsKey("memory");
        assertThat(env(app, "LENS_MODEL_DEVICE")).isEqualTo("gpu");
        assertThat(env(app, "LENS_MODEL_PRECISION")).isEqualTo("fp32");
        assertThat(env(app, "LENS_SEARCH_K")).isEqualTo("20");
        assertThat(secretRef(app, "LENS_REDIS_PASSWORD")).isEqualTo("shared-redis/redis-password");
        // the HPA owns the active colour's replicas
        assertThat(blue.getSpec().getReplicas()).isNull();
        HorizontalPodAutoscaler hpa = r.all(HorizontalPodAutoscaler.class).get(0);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(blue.getMetadata().getName());
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(8);
        // model from the store: no model claims
        assertThat(r.all(PersistentVolumeClaim.class)).isEmpty();
    }

    @Test
    void aColourSettingOverridesTheSharedOneForThatColourOnly() {
        Rendered r = render("defaults", Map.of("env.LENS_SEARCH_K", "15", "green.env.LENS_SEARCH_K", "25"));
        assertThat(env(r.deployment("blue").getSpec().getTemplate().getSpec().getContainers().get(0), "LENS_SEARCH_K")).isEqualTo("15");
        Container green = r.deployment("green").getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(green.getEnv().stream().filter(e -> e.getName().equals("LENS_SEARCH_K")).map(EnvVar::getValue)).containsExactly("25");
    }

    // ---- Redis: password, memory, TLS; NetworkPolicies (issue 27) ----

    @Test
    void theBundledRedisDoesNotRenderWithoutAPasswordSecret() {
        String message = "redis.passwordSecret.name is required when the chart deploys Redis (redis.deploy=true)";
        assertThatThrownBy(() -> render("bare", Map.of())).hasMessageContaining(message);
        assertThatThrownBy(() -> render("defaults", Map.of("redis.passwordSecret.name", ""))).hasMessageContaining(message);
        // a Secret name, not a password: the schema refuses what cannot be one
        assertThatThrownBy(() -> render("defaults", Map.of("redis.passwordSecret.name", "Hunter2!"))).hasMessageContaining("at '/redis/passwordSecret/name'");
        // an external Redis is not the chart's to lock: it renders without one
        assertThat(render("bare", Map.of("redis.deploy", false, "redis.host", "redis.shared")).all(Deployment.class)).hasSize(2);
    }

    @Test
    void theBundledRedisAndBothColoursTakeThePasswordFromTheSecret() {
        Rendered r = render("defaults", Map.of("redis.passwordSecret.key", "redis-password"));
        for (String color : List.of("blue", "green")) {
            assertThat(secretRef(app(r.deployment(color)), "LENS_REDIS_PASSWORD")).as(color).isEqualTo("lens-redis/redis-password");
        }
        Container redis = redisContainer(r);
        assertThat(secretRef(redis, "REDIS_PASSWORD")).isEqualTo("lens-redis/redis-password");
        assertThat(redisArgs(r)).contains("--requirepass \"$REDIS_PASSWORD\"");
    }

    @Test
    void theBundledRedisHasMaxmemoryUnderItsLimitAndEvictsOnlyKeysWithATtl() {
        Rendered r = render("defaults", Map.of());
        assertThat(redisArgs(r)).contains("--maxmemory 600mb").contains("--maxmemory-policy volatile-ttl").contains("--appendonly yes");
        Quantity limit = redisContainer(r).getResources().getLimits().get("memory");
        assertThat(Quantity.getAmountInBytes(limit).doubleValue() * 0.75).isGreaterThanOrEqualTo(600.0 * 1024 * 1024);
        assertThat(redisContainer(r).getResources().getRequests().get("memory")).isEqualTo(limit);
        // both follow the values
        assertThat(redisArgs(render("defaults", Map.of("redis.maxmemory", "2gb", "redis.resources.limits.memory", "3Gi",
                "redis.maxmemoryPolicy", "volatile-lru")))).contains("--maxmemory 2gb").contains("--maxmemory-policy volatile-lru");
        // no room for the append-only file's rewrite, no limit at all, or a policy that could evict the change log: refused
        assertThatThrownBy(() -> render("defaults", Map.of("redis.maxmemory", "900mb")))
                .hasMessageContaining("redis.maxmemory 900mb is above 75% of redis.resources.limits.memory 1Gi");
        assertThatThrownBy(() -> render("defaults", Map.of("redis.maxmemory", "2g", "redis.resources.limits.memory", "2G")))
                .hasMessageContaining("redis.maxmemory 2g is above 75%");
        assertThatThrownBy(() -> render("defaults", Map.of("redis.maxmemory", "0"))).hasMessageContaining("at '/redis/maxmemory'");
        assertThatThrownBy(() -> render("defaults", Map.of("redis.maxmemory", ""))).hasMessageContaining("at '/redis/maxmemory'");
        assertThatThrownBy(() -> render("defaults", Map.of("redis.maxmemoryPolicy", "allkeys-lru"))).hasMessageContaining("at '/redis/maxmemoryPolicy'");
        assertThatThrownBy(() -> render("defaults", Map.of("redis.maxmemoryPolicy", "noeviction"))).hasMessageContaining("at '/redis/maxmemoryPolicy'");
    }

    @Test
    void tlsToRedisMountsTheCaBundleTheServiceReads() {
        // an external Redis with a private CA from a ConfigMap
        Rendered external = render("external-redis-values.yaml", Map.of());
        Deployment blue = external.deployment("blue");
        assertTlsCa(app(blue));
        Volume ca = volume(blue, "redis-ca");
        assertThat(ca.getConfigMap().getName()).isEqualTo("shared-redis-ca");
        assertThat(ca.getConfigMap().getItems()).singleElement().satisfies(i -> {
            assertThat(i.getKey()).isEqualTo("ca-bundle.pem");
            assertThat(i.getPath()).isEqualTo("ca.crt");
        });
        // the bundled Redis over TLS, its certificate and CA from one cert-manager Secret
        Rendered bundled = render("volume-values.yaml", Map.of());
        for (String color : List.of("blue", "green")) {
            Deployment d = bundled.deployment(color);
            assertTlsCa(app(d));
            assertThat(volume(d, "redis-ca").getSecret().getSecretName()).isEqualTo("lens-redis-tls");
            assertThat(volume(d, "redis-ca").getSecret().getItems()).singleElement().satisfies(i -> assertThat(i.getPath()).isEqualTo("ca.crt"));
        }
        assertThat(redisArgs(bundled)).contains("--port 0 --tls-port 6379 --tls-cert-file /tls/tls.crt --tls-key-file /tls/tls.key");
        assertThat(mount(redisContainer(bundled), "tls").getReadOnly()).isTrue();
        StatefulSet sts = bundled.all(StatefulSet.class).get(0);
        assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals("tls")).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("lens-redis-tls"));
        // off by default: plain port, no CA file
        Rendered plain = render("defaults", Map.of());
        Container app = app(plain.deployment("blue"));
        assertThat(env(app, "LENS_REDIS_TLS")).isEqualTo("false");
        assertThat(app.getEnv()).noneMatch(e -> e.getName().equals("LENS_REDIS_TLS_CA_FILE"));
        assertThat(app.getVolumeMounts()).noneMatch(m -> m.getName().equals("redis-ca"));
        assertThat(redisArgs(plain)).contains("--port 6379").doesNotContain("tls");
        // refused: bundled TLS without a certificate, two CA sources, a CA without TLS, the old boolean
        assertThatThrownBy(() -> render("defaults", Map.of("redis.tls.enabled", true))).hasMessageContaining("redis.tls.certSecret");
        assertThatThrownBy(() -> render("external-redis-values.yaml", Map.of("redis.tls.ca.secret", "x")))
                .hasMessageContaining("redis.tls.ca.secret and redis.tls.ca.configMap are both set");
        assertThatThrownBy(() -> render("external-redis-values.yaml", Map.of("redis.tls.enabled", false)))
                .hasMessageContaining("redis.tls.ca names a CA bundle but redis.tls.enabled is false");
        assertThatThrownBy(() -> render("defaults", Map.of("redis.tls", true))).hasMessageContaining("at '/redis/tls'");
    }

    private static void assertTlsCa(Container app) {
        assertThat(env(app, "LENS_REDIS_TLS")).isEqualTo("true");
        String file = env(app, "LENS_REDIS_TLS_CA_FILE");
        VolumeMount mount = mount(app, "redis-ca");
        assertThat(mount.getReadOnly()).isTrue();
        assertThat(file).isEqualTo(mount.getMountPath() + "/ca.crt");
    }

    @Test
    void networkPoliciesAdmitTheIngressControllerAndMonitoringToTheApiAndOnlyTheApiToRedis() {
        Rendered r = render("defaults", Map.of());
        NetworkPolicy api = r.policy("lens-listing-lens");
        NetworkPolicy redis = r.policy("lens-redis");
        assertThat(r.all(NetworkPolicy.class)).hasSize(2);
        Map<String, String> redisPod = r.all(StatefulSet.class).get(0).getSpec().getTemplate().getMetadata().getLabels();
        List<Map<String, String>> apiPods = List.of("blue", "green").stream()
                .map(c -> r.deployment(c).getSpec().getTemplate().getMetadata().getLabels()).toList();

        // the API: both colours' pods; the HTTP port from the ingress controller's namespace and from monitoring only
        assertThat(api.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(apiPods).allMatch(pod -> matches(api.getSpec().getPodSelector().getMatchLabels(), pod));
        assertThat(matches(api.getSpec().getPodSelector().getMatchLabels(), redisPod)).isFalse();
        assertThat(api.getSpec().getIngress()).hasSize(2).allSatisfy(rule ->
                assertThat(rule.getFrom()).as("a rule without sources admits everybody").isNotEmpty());
        // clients reach the API port only, monitoring the management port only
        assertThat(ports(api.getSpec().getIngress().get(0))).containsExactly("TCP/8080");
        assertThat(ports(api.getSpec().getIngress().get(1))).containsExactly("TCP/9000");
        assertThat(namespaces(api.getSpec().getIngress().get(0))).containsExactly("ingress-nginx");
        assertThat(namespaces(api.getSpec().getIngress().get(1))).containsExactly("monitoring");

        // Redis: its pod, its port, from pods of both colours in the release's namespace only
        assertThat(redis.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(matches(redis.getSpec().getPodSelector().getMatchLabels(), redisPod)).isTrue();
        assertThat(apiPods).noneMatch(pod -> matches(redis.getSpec().getPodSelector().getMatchLabels(), pod));
        NetworkPolicyIngressRule rule = redis.getSpec().getIngress().get(0);
        assertThat(redis.getSpec().getIngress()).hasSize(1);
        assertThat(ports(rule)).containsExactly("TCP/6379");
        NetworkPolicyPeer peer = rule.getFrom().get(0);
        assertThat(rule.getFrom()).hasSize(1);
        assertThat(peer.getNamespaceSelector()).isNull();
        assertThat(peer.getIpBlock()).isNull();
        assertThat(apiPods).allMatch(pod -> matches(peer.getPodSelector().getMatchLabels(), pod));
        assertThat(matches(peer.getPodSelector().getMatchLabels(), Map.of("app.kubernetes.io/name", "something-else"))).isFalse();

        // configurable: in-cluster callers instead of the ingress controller; empty lists admit nobody, never everybody
        NetworkPolicy custom = render("defaults", Map.of("networkPolicy.clients[0].podSelector.matchLabels.app", "storefront",
                "networkPolicy.monitoring", "null")).policy("lens-listing-lens");
        assertThat(custom.getSpec().getIngress()).singleElement().satisfies(only ->
                assertThat(only.getFrom()).singleElement().satisfies(p -> assertThat(p.getPodSelector().getMatchLabels()).containsOnly(Map.entry("app", "storefront"))));
        NetworkPolicy closed = render("defaults", Map.of("networkPolicy.clients", "null", "networkPolicy.monitoring", "null")).policy("lens-listing-lens");
        assertThat(closed.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(closed.getSpec().getIngress()).isEmpty();
        // off, and no Redis policy for an external Redis
        assertThat(render("defaults", Map.of("networkPolicy.enabled", false)).all(NetworkPolicy.class)).isEmpty();
        assertThat(render("external-redis-values.yaml", Map.of()).all(NetworkPolicy.class)).extracting(p -> p.getMetadata().getName())
                .containsExactly("lens-listing-lens");
    }

    private static List<String> ports(NetworkPolicyIngressRule rule) {
        return rule.getPorts().stream().map((NetworkPolicyPort p) -> p.getProtocol() + "/" + p.getPort().getValue()).toList();
    }

    private static List<String> namespaces(NetworkPolicyIngressRule rule) {
        return rule.getFrom().stream().map(p -> {
            assertThat(p.getPodSelector()).isNull();
            return p.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
        }).toList();
    }

    private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    /**
     * Bad values fail at install time, each with a message that names what to fix: values.schema.json names the value
     * by its JSON pointer ({@code at '/blue/replicas'}), the chart's own cross-checks by its dotted path.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesFailWithAClearMessage(String name, Map<String, Object> set, String message) {
        assertThatThrownBy(() -> render("defaults", set)).as(name).hasMessageContaining(message);
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> badValues() {
        return Stream.of(
                bad("unknown colour", Map.of("activeColor", "purple"), "activeColor"),
                bad("active colour disabled", Map.of("blue.enabled", false), "activeColor is blue but blue.enabled is false"),
                bad("empty image tag", Map.of("green.image.tag", ""), "at '/green/image/tag'"),
                bad("model version with a slash", Map.of("blue.model.version", "v1/../x"), "at '/blue/model/version'"),
                bad("pool pin for an unknown tenant", Map.of("blue.pools.shop-fr", "v1"), "blue.pools pins tenant \"shop-fr\""),
                bad("bad pool version", Map.of("green.pools.default", "a b"), "at '/green/pools/default'"),
                bad("misspelt key", Map.of("activeColour", "green"), "activeColour"),
                bad("external Redis without host", Map.of("redis.deploy", false), "redis.host"),
                bad("negative replicas", Map.of("blue.replicas", -1), "at '/blue/replicas'"),
                bad("unknown storage", Map.of("storage.type", "ftp"), "at '/storage/type'"),
                bad("s3 without bucket", Map.of("storage.s3.bucket", ""), "storage.s3.bucket"),
                bad("no tenants", Map.of("tenants", "{}"), "tenants"),
                bad("default tenant not served", Map.of("defaultTenant", "shop-fr"), "defaultTenant \"shop-fr\""),
                bad("bad precision", Map.of("model.precision", "int4"), "at '/model/precision'"),
                bad("no memory limit", Map.of("resources.limits.memory", "null"), "memory"),
                bad("existing claims missing", Map.of("model.volume.create", false), "model.volume.existingClaims"),
                bad("autoscaling bounds", Map.of("autoscaling.enabled", true, "autoscaling.minReplicas", 5, "autoscaling.maxReplicas", 2),
                        "autoscaling.minReplicas"));
    }

    private static org.junit.jupiter.params.provider.Arguments bad(String name, Map<String, Object> set, String message) {
        return org.junit.jupiter.params.provider.Arguments.of(name, set, message);
    }

    // ---- rendering ----

    record Rendered(List<HasMetadata> objects, Map<String, Object> values) {
        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        Deployment deployment(String color) {
            return all(Deployment.class).stream().filter(d -> color.equals(d.getMetadata().getLabels().get("listing-lens.io/color")))
                    .findFirst().orElse(null);
        }

        Service service(String role) {
            return all(Service.class).stream().filter(s -> role.equals(s.getMetadata().getLabels().get("listing-lens.io/role")))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + role + " Service"));
        }

        NetworkPolicy policy(String name) {
            return all(NetworkPolicy.class).stream().filter(p -> p.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no NetworkPolicy " + name));
        }

        PersistentVolumeClaim claim(String name) {
            return all(PersistentVolumeClaim.class).stream().filter(c -> c.getMetadata().getName().equals(name)).findFirst().orElse(null);
        }
    }

    static Rendered render(String set, Map<String, Object> overrides) {
        TemplateCommand t = new Helm(CHART).template().withName("lens").withNamespace("marketplace").withKubeVersion("1.31.0");
        Map<String, Object> values = Serialization.unmarshal(read(CHART.resolve("values.yaml")), Map.class);
        if (set.equals("defaults")) {
            for (Map.Entry<String, Object> e : REQUIRED.entrySet()) {
                t = t.set(e.getKey(), e.getValue());
                setPath(values, e.getKey(), e.getValue());
            }
        } else if (!set.equals("bare")) {
            Path file = CHART.resolve("ci").resolve(set);
            t = t.withValuesFile(file);
            merge(values, Serialization.unmarshal(read(file), Map.class));
        }
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            t = t.set(e.getKey(), e.getValue());
        }
        String out = t.call();
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : out.split("(?m)^---\\s*$")) {
            if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
                Object o = Serialization.unmarshal(doc);
                objects.add((HasMetadata) o);
            }
        }
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            setPath(values, e.getKey(), e.getValue());
        }
        return new Rendered(objects, values);
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> into, Map<String, Object> from) {
        from.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m && into.get(k) instanceof Map<?, ?> existing) {
                merge((Map<String, Object>) existing, (Map<String, Object>) m);
            } else {
                into.put(k, v);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static void setPath(Map<String, Object> values, String path, Object value) {
        String[] parts = path.split("\\.");
        Map<String, Object> m = values;
        for (int i = 0; i < parts.length - 1; i++) {
            m = (Map<String, Object>) m.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
        }
        m.put(parts[parts.length - 1], value);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(Object o) {
        return (Map<String, String>) o;
    }

    static Container app(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static Container redisContainer(Rendered r) {
        List<StatefulSet> sets = r.all(StatefulSet.class);
        assertThat(sets).as("the bundled Redis").hasSize(1);
        return sets.get(0).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static String redisArgs(Rendered r) {
        return String.join(" ", redisContainer(r).getArgs());
    }

    static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no " + name));
    }

    private static String secretRef(Container c, String name) {
        EnvVar e = c.getEnv().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no " + name));
        return e.getValueFrom().getSecretKeyRef().getName() + "/" + e.getValueFrom().getSecretKeyRef().getKey();
    }

    private static VolumeMount mount(Container c, String name) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no mount " + name));
    }

    private static Volume volume(Deployment d, String name) {
        return d.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static void assertProbe(Probe p, String path) {
        assertThat(p).isNotNull();
        assertThat(p.getHttpGet().getPath()).isEqualTo(path);
        assertThat(p.getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(p.getPeriodSeconds()).isPositive();
        assertThat(p.getFailureThreshold()).isPositive();
    }

    private static boolean selects(Service s, Map<String, String> podLabels) {
        return podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet());
    }
}
