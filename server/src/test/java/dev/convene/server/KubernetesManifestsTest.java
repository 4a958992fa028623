package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * deploy/kubernetes validates without a cluster: every document parses into the Kubernetes API
 * model with no field the API does not know (a misspelt {@code readinesProbe} fails here, not on
 * {@code kubectl apply}), and it fits the server: every flag and {@code CONVENE_} variable is an
 * option of {@code convene}, ports match the flags, probes hit endpoints the node serves, and
 * services, the ingress and the disruption budgets select what exists.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final Path OPENAPI = Path.of("..", "docs", "openapi.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** What an SFU's control port answers without a token (SfuDrainTest checks /readyz and /healthz). */
    private static final Set<String> SFU_CONTROL_PATHS = Set.of("/healthz", "/readyz", "/metrics");
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "apps/v1/StatefulSet", StatefulSet.class,
            "networking.k8s.io/v1/Ingress", Ingress.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

    private static List<HasMetadata> resources;
    private static Map<String, OptionSpec> options;

    @BeforeAll
    static void load() throws IOException {
        resources = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode doc = docs.next();
                        if (doc == null || doc.isEmpty()) {
                            continue;
                        }
                        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
                        assertThat(KINDS).as("%s: a kind this test knows", file).containsKey(key);
                        HasMetadata resource = YAML.treeToValue(doc, KINDS.get(key));
                        List<String> unknown = new ArrayList<>();
                        unknownFields(resource, key + " " + resource.getMetadata().getName(), unknown, new HashSet<>());
                        assertThat(unknown).as("%s: fields the Kubernetes API does not have", file).isEmpty();
                        resources.add(resource);
                    }
                }
            }
        }
        options = new HashMap<>();
        for (OptionSpec o : new CommandLine(new ConveneMain()).getCommandSpec().options()) {
            options.put(o.longestName(), o);
        }
    }

    @Test
    void everyDocumentIsAKnownKindInTheNamespace() {
        assertThat(resources).hasSizeGreaterThanOrEqualTo(10);
        for (HasMetadata r : resources) {
            if (!(r instanceof Namespace)) {
                assertThat(r.getMetadata().getNamespace()).as(r.getMetadata().getName()).isEqualTo("convene");
            }
        }
        assertThat(of(Deployment.class)).extracting(d -> d.getMetadata().getName()).contains("signaling");
        assertThat(of(StatefulSet.class)).extracting(d -> d.getMetadata().getName()).contains("sfu");
    }

    @Test
    void theTestFindsUnknownFields() throws IOException {
        Deployment misspelt = YAML.readValue("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  template:
                    spec:
                      containers:
                        - name: c
                          readinesProbe: {httpGet: {path: /healthz, port: 8080}}
                """, Deployment.class);
        List<String> unknown = new ArrayList<>();
        unknownFields(misspelt, "x", unknown, new HashSet<>());
        assertThat(unknown).singleElement().asString().contains("readinesProbe");
    }

    @Test
    void everyFlagAndVariableIsAnOptionOfConvene() {
        for (Container c : conveneContainers()) {
            for (String arg : c.getArgs()) {
                if (arg.startsWith("--")) {
                    assertThat(options).as("flag of %s", c.getName()).containsKey(flagName(arg));
                }
            }
            for (EnvVar e : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
                if (e.getName().startsWith("CONVENE_")) {
                    assertThat(optionFor(e.getName())).as("variable %s", e.getName()).isPresent();
                }
            }
        }
        for (ConfigMap map : of(ConfigMap.class)) {
            map.getData().keySet().forEach(k -> assertThat(optionFor(k)).as("ConfigMap key %s", k).isPresent());
        }
        for (Secret secret : of(Secret.class)) {
            secret.getStringData().keySet().forEach(k -> assertThat(optionFor(k)).as("Secret key %s", k).isPresent());
        }
    }

    @Test
    void portsMatchTheFlagsAndProbesHitRealEndpoints() throws IOException {
        Set<String> apiPaths = new HashSet<>();
        YAML.readTree(OPENAPI.toFile()).path("paths").fieldNames().forEachRemaining(apiPaths::add);
        for (PodTemplateSpec pod : podTemplates()) {
            for (Container c : pod.getSpec().getContainers()) {
                Map<String, String> flags = flags(c);
                String role = flags.getOrDefault("--role", "all");
                Map<String, Integer> ports = new HashMap<>();
                c.getPorts().forEach(p -> ports.put(p.getName(), p.getContainerPort()));
                String probePortName;
                Set<String> probePaths;
                if (role.equals("sfu")) {
                    assertThat(ports.get("control")).isEqualTo(Integer.parseInt(flags.get("--control-port")));
                    assertThat(ports.get("media-udp")).isEqualTo(Integer.parseInt(flags.get("--media-port")));
                    assertThat(ports.get("media-tcp")).isEqualTo(Integer.parseInt(flags.get("--media-tcp-port")));
                    probePortName = "control";
                    probePaths = SFU_CONTROL_PATHS;
                } else {
                    assertThat(ports.get("http")).isEqualTo(Integer.parseInt(flags.get("--http-port")));
                    probePortName = "http";
                    probePaths = apiPaths;
                }
                for (Probe probe : new Probe[] {c.getReadinessProbe(), c.getLivenessProbe()}) {
                    assertThat(probe).as("%s has readiness and liveness probes", role).isNotNull();
                    HTTPGetAction get = probe.getHttpGet();
                    assertThat(probePaths).as("%s probe path", role).contains(get.getPath());
                    assertThat(port(get.getPort(), ports)).as("%s probe port", role).isEqualTo(ports.get(probePortName));
                }
            }
        }
    }

    @Test
    void sfuRunsOnTheNodesNetworkAdvertisesTheNodeAndDrainsWithinItsGrace() {
        StatefulSet sfu = named(StatefulSet.class, "sfu");
        var pod = sfu.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
        Container c = pod.getContainers().getFirst();
        EnvVar nodeIp = c.getEnv().stream().filter(e -> e.getName().equals("NODE_IP")).findFirst().orElseThrow();
        assertThat(nodeIp.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.hostIP");
        Map<String, String> flags = flags(c);
        assertThat(flags.get("--control-advertise")).isEqualTo("$(NODE_IP)");
        long drainSeconds = DurationOption.parse(flags.get("--drain-timeout")).toSeconds();
        assertThat(drainSeconds).isPositive();
        assertThat(pod.getTerminationGracePeriodSeconds()).as("grace covers the drain").isGreaterThan(drainSeconds);
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).as("readiness follows the drain").isEqualTo("/readyz");
        // One SFU per Kubernetes node: two on one host would fight over the media port.
        assertThat(pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
                .anyMatch(t -> t.getTopologyKey().equals("kubernetes.io/hostname"));
    }

    @Test
    void servicesIngressAndBudgetsSelectWhatExists() {
        Map<String, PodTemplateSpec> templates = new LinkedHashMap<>();
        of(Deployment.class).forEach(d -> templates.put(d.getMetadata().getName(), d.getSpec().getTemplate()));
        of(StatefulSet.class).forEach(s -> templates.put(s.getMetadata().getName(), s.getSpec().getTemplate()));
        for (Service service : of(Service.class)) {
            PodTemplateSpec pod = selected(templates, service.getSpec().getSelector(), "service " + service.getMetadata().getName());
            Map<String, Integer> ports = new HashMap<>();
            pod.getSpec().getContainers().forEach(c -> c.getPorts().forEach(p -> ports.put(p.getName(), p.getContainerPort())));
            for (ServicePort p : service.getSpec().getPorts()) {
                assertThat(port(p.getTargetPort(), ports)).as("target port %s", p.getTargetPort()).isNotNull();
            }
        }
        for (PodDisruptionBudget pdb : of(PodDisruptionBudget.class)) {
            selected(templates, pdb.getSpec().getSelector().getMatchLabels(), "budget " + pdb.getMetadata().getName());
        }
        for (Ingress ingress : of(Ingress.class)) {
            ingress.getSpec().getRules().forEach(rule -> rule.getHttp().getPaths().forEach(path -> {
                IngressBackend backend = path.getBackend();
                Service service = named(Service.class, backend.getService().getName());
                assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName)
                        .contains(backend.getService().getPort().getName());
            }));
            assertThat(ingress.getSpec().getTls()).as("TLS ends at the ingress").isNotEmpty();
        }
        Set<String> secretKeys = new HashSet<>();
        of(Secret.class).forEach(s -> secretKeys.addAll(s.getStringData().keySet()));
        for (Container c : conveneContainers()) {
            c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                    .forEach(e -> assertThat(secretKeys).contains(e.getValueFrom().getSecretKeyRef().getKey()));
            c.getEnvFrom().forEach(from -> named(ConfigMap.class, from.getConfigMapRef().getName()));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Walks the model: any {@code additionalProperties} entry is a field Kubernetes does not know. */
    private static void unknownFields(Object o, String path, List<String> unknown, Set<Object> seen) {
        if (o == null || !seen.add(new IdentityKey(o))) {
            return;
        }
        if (o instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                unknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                unknownFields(value, path + "." + m.getName().substring(3), unknown, seen);
            }
        }
    }

    private record IdentityKey(Object o) {
        @Override
        public boolean equals(Object other) {
            return other instanceof IdentityKey k && k.o == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(o);
        }
    }

    private static <T extends HasMetadata> List<T> of(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T named(Class<T> type, String name) {
        return of(type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    private static List<PodTemplateSpec> podTemplates() {
        List<PodTemplateSpec> templates = new ArrayList<>();
        of(Deployment.class).forEach(d -> templates.add(d.getSpec().getTemplate()));
        of(StatefulSet.class).forEach(s -> templates.add(s.getSpec().getTemplate()));
        return templates;
    }

    private static List<Container> conveneContainers() {
        return podTemplates().stream().flatMap(t -> t.getSpec().getContainers().stream())
                .filter(c -> c.getImage().startsWith("convene")).toList();
    }

    private static PodTemplateSpec selected(Map<String, PodTemplateSpec> templates, Map<String, String> selector, String what) {
        return templates.values().stream()
                .filter(t -> t.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .findFirst().orElseThrow(() -> new AssertionError(what + " selects no pods: " + selector));
    }

    private static Integer port(IntOrString port, Map<String, Integer> named) {
        return port.getStrVal() != null ? named.get(port.getStrVal()) : port.getIntVal();
    }

    private static String flagName(String arg) {
        int eq = arg.indexOf('=');
        return eq < 0 ? arg : arg.substring(0, eq);
    }

    /** {@code --name=value} arguments, then CONVENE_ variables with literal values, as the server merges them. */
    private static Map<String, String> flags(Container c) {
        Map<String, String> flags = new HashMap<>();
        Optional.ofNullable(c.getEnv()).orElse(List.of()).stream()
                .filter(e -> e.getName().startsWith("CONVENE_") && e.getValue() != null)
                .forEach(e -> optionFor(e.getName()).ifPresent(o -> flags.put(o.longestName(), e.getValue())));
        for (String arg : c.getArgs()) {
            int eq = arg.indexOf('=');
            assertThat(eq).as("%s: flags are written --name=value here", arg).isPositive();
            flags.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return flags;
    }

    private static Optional<OptionSpec> optionFor(String variable) {
        return options.values().stream().filter(o -> ConfigDefaults.environmentName(o.longestName()).equals(variable))
                .findFirst();
    }
}
