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
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
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
            // probes: startup waits on readiness (model and pools loaded), liveness only once started
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
                    .contains("--appendonly yes");
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
                .filter(g -> g.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        Map<String, Object> spec = map(monitor.getAdditionalProperties().get("spec"));
        assertThat(spec.get("endpoints").toString()).contains("path=/q/metrics");
        // the ServiceMonitor's selector matches both the stable and the preview Service: every pod is scraped
        Map<String, String> match = stringMap(map(spec.get("selector")).get("matchLabels"));
        assertThat(r.service("stable").getMetadata().getLabels()).containsAllEntriesOf(match);
        assertThat(r.service("preview").getMetadata().getLabels()).containsAllEntriesOf(match);
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

        PersistentVolumeClaim claim(String name) {
            return all(PersistentVolumeClaim.class).stream().filter(c -> c.getMetadata().getName().equals(name)).findFirst().orElse(null);
        }
    }

    static Rendered render(String set, Map<String, Object> overrides) {
        TemplateCommand t = new Helm(CHART).template().withName("lens").withNamespace("marketplace").withKubeVersion("1.31.0");
        Map<String, Object> values = Serialization.unmarshal(read(CHART.resolve("values.yaml")), Map.class);
        if (!set.equals("defaults")) {
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
        assertThat(p.getPeriodSeconds()).isPositive();
        assertThat(p.getFailureThreshold()).isPositive();
    }

    private static boolean selects(Service s, Map<String, String> podLabels) {
        return podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet());
    }
}
