namespace Connectors.Distribution.Tests;

/// <summary>The Kubernetes manifests as kustomize renders them, the compose pool and the Dockerfile carry the security settings.</summary>
public sealed class DeploymentFilesTests
{
    private static readonly Lazy<Task<List<JsonNode>>> Rendered = new(async () =>
        Yaml.Documents(await Repository.RunAsync("kubectl", ["kustomize", Repository.PathOf("deploy", "k8s", "overlays", "example")])));

    private static async Task<List<JsonNode>> Manifests(string kind) =>
        [.. (await Rendered.Value).Where(d => d["kind"].Text() == kind)];

    [Fact]
    public async Task Every_server_has_a_deployment_service_autoscaler_disruption_budget_and_network_policy()
    {
        var deployments = (await Manifests("Deployment")).Select(d => d["metadata"]!["name"].Text()!).Order().ToList();
        Assert.Equal(["connectors-database", "connectors-filesystem", "connectors-github", "connectors-slack"], deployments);
        foreach (var kind in new[] { "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "ConfigMap", "Secret" })
        {
            Assert.Equal(deployments, (await Manifests(kind)).Select(d => d["metadata"]!["name"].Text()!).Select(StripHash).Order().ToList());
        }
    }

    [Fact]
    public async Task Deployments_run_two_replicas_non_root_on_a_read_only_root_filesystem_without_capabilities()
    {
        foreach (var deployment in await Manifests("Deployment"))
        {
            var name = deployment["metadata"]!["name"].Text();
            var spec = deployment["spec"]!;
            Assert.True(int.Parse(spec["replicas"].Text()!) >= 2, name);
            var pod = spec["template"]!["spec"]!;
            Assert.Equal("false", pod["automountServiceAccountToken"].Text());
            Assert.Equal("true", pod["securityContext"]!["runAsNonRoot"].Text());
            Assert.Equal("RuntimeDefault", pod["securityContext"]!["seccompProfile"]!["type"].Text());
            var container = Assert.Single(pod["containers"].Items());
            var security = container["securityContext"]!;
            Assert.Equal("true", security["readOnlyRootFilesystem"].Text());
            Assert.Equal("false", security["allowPrivilegeEscalation"].Text());
            Assert.Contains("ALL", security["capabilities"]!["drop"].Items().Select(c => c.Text()));
            Assert.DoesNotContain(":latest", container["image"].Text(), StringComparison.Ordinal);
            foreach (var bound in new[] { "requests", "limits" })
            {
                Assert.NotNull(container["resources"]![bound]!["cpu"]);
                Assert.NotNull(container["resources"]![bound]!["memory"]);
            }
        }
    }

    [Fact]
    public async Task Readiness_uses_readyz_and_liveness_healthz_on_the_http_port()
    {
        foreach (var deployment in await Manifests("Deployment"))
        {
            var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
            Assert.Equal("/readyz", container["readinessProbe"]!["httpGet"]!["path"].Text());
            Assert.Equal("/healthz", container["livenessProbe"]!["httpGet"]!["path"].Text());
            Assert.Equal("8080", container["ports"]![0]!["containerPort"].Text());
        }
    }

    [Fact]
    public async Task Servers_require_authentication_and_read_their_secrets_from_mounted_files()
    {
        var configMaps = (await Manifests("ConfigMap")).ToDictionary(c => c["metadata"]!["name"].Text()!);
        var secrets = (await Manifests("Secret")).Select(s => s["metadata"]!["name"].Text()!).ToHashSet();
        foreach (var deployment in await Manifests("Deployment"))
        {
            var name = deployment["metadata"]!["name"].Text()!;
            Assert.Equal("api-key", configMaps[name]["data"]!["CONNECTORS_AUTH"].Text());
            Assert.Equal("http", configMaps[name]["data"]!["CONNECTORS_TRANSPORT"].Text());
            var pod = deployment["spec"]!["template"]!["spec"]!;
            var env = pod["containers"]![0]!["env"].Items().ToDictionary(e => e["name"].Text()!, e => e["value"].Text());
            Assert.All(env.Keys.Where(k => k.Contains("KEY", StringComparison.Ordinal) || k.Contains("TOKEN", StringComparison.Ordinal) || k.Contains("CONNECTION", StringComparison.Ordinal)),
                k => Assert.EndsWith("_FILE", k, StringComparison.Ordinal));
            var secretVolume = pod["volumes"].Items().Single(v => v["secret"] is not null)["secret"]!["secretName"].Text()!;
            Assert.Contains(secretVolume, secrets);
        }
    }

    [Fact]
    public async Task Network_policies_limit_egress_to_what_each_server_needs()
    {
        var policies = (await Manifests("NetworkPolicy")).ToDictionary(p => p["metadata"]!["name"].Text()!, p => p["spec"]!);
        Assert.All(policies.Values, p => Assert.Contains("Egress", p["policyTypes"].Items().Select(t => t.Text())));
        Assert.Empty(policies["connectors-filesystem"]["egress"].Items());
        var databasePorts = policies["connectors-database"]["egress"].Items().SelectMany(r => r["ports"].Items()).Select(p => p["port"].Text()).ToHashSet();
        Assert.Equal(["5432", "53"], databasePorts);
        foreach (var api in new[] { "connectors-github", "connectors-slack" })
        {
            Assert.Equal(["443", "53"], policies[api]["egress"].Items().SelectMany(r => r["ports"].Items()).Select(p => p["port"].Text()).ToHashSet());
        }
    }

    [Fact]
    public async Task Autoscalers_keep_two_replicas_and_disruption_budgets_keep_one_available()
    {
        Assert.All(await Manifests("HorizontalPodAutoscaler"), h => Assert.True(int.Parse(h["spec"]!["minReplicas"].Text()!) >= 2));
        Assert.All(await Manifests("PodDisruptionBudget"), p => Assert.Equal("1", p["spec"]!["minAvailable"].Text()));
        var ns = Assert.Single(await Manifests("Namespace"));
        Assert.Equal("restricted", ns["metadata"]!["labels"]!["pod-security.kubernetes.io/enforce"].Text());
    }

    [Fact]
    public async Task The_shared_redis_overlay_points_every_server_at_one_redis_that_only_the_pool_reaches()
    {
        var rendered = Yaml.Documents(await Repository.RunAsync("kubectl", ["kustomize", Repository.PathOf("deploy", "k8s", "overlays", "shared-redis")]));
        var servers = new[] { "connectors-database", "connectors-filesystem", "connectors-github", "connectors-slack" };
        JsonNode Named(string kind, string name) => rendered.Single(d => d["kind"].Text() == kind && d["metadata"]!["name"].Text() == name);
        foreach (var server in servers)
        {
            Assert.Equal("connectors-redis:6379", Named("ConfigMap", server)["data"]!["CONNECTORS_REDIS"].Text());
            Assert.Contains(Named("NetworkPolicy", server)["spec"]!["egress"].Items(), rule => rule["ports"]![0]!["port"].Text() == "6379");
        }

        var redis = Named("Deployment", "connectors-redis")["spec"]!["template"]!["spec"]!;
        Assert.Equal("true", redis["securityContext"]!["runAsNonRoot"].Text());
        Assert.Equal("true", redis["containers"]![0]!["securityContext"]!["readOnlyRootFilesystem"].Text());
        var ingress = Assert.Single(Named("NetworkPolicy", "connectors-redis")["spec"]!["ingress"].Items());
        Assert.Equal("connectors", ingress["from"]![0]!["podSelector"]!["matchLabels"]!["app.kubernetes.io/part-of"].Text());
        Assert.Equal("connectors", Named("Deployment", "connectors-redis")["metadata"]!["namespace"].Text());
    }

    [Fact]
    public async Task The_compose_pool_runs_every_server_read_only_without_capabilities_and_with_api_keys()
    {
        var compose = Yaml.Documents(await File.ReadAllTextAsync(Repository.PathOf("deploy", "compose.yaml"))).Single();
        var services = compose["services"]!.AsObject();
        foreach (var name in new[] { "filesystem", "database", "github", "slack" })
        {
            var service = services[name]!;
            Assert.Equal("true", service["read_only"].Text());
            Assert.Contains("ALL", service["cap_drop"].Items().Select(c => c.Text()));
            Assert.Equal("api-key", service["environment"]!["CONNECTORS_AUTH"].Text());
            Assert.Equal(name, service["build"]!["args"]!["SERVER"].Text());
            Assert.Contains("connectors.env", service["env_file"].Items().Select(f => f.Text()));
        }

        Assert.Contains("/share:ro", services["filesystem"]!["volumes"]![0].Text(), StringComparison.Ordinal);
        Assert.Contains("Username=connectors_reader", services["database"]!["environment"]!["CONNECTORS_DATABASE_CONNECTION_STRING"].Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dockerfile_publishes_with_the_tested_script_and_runs_as_a_non_root_user_with_a_healthcheck()
    {
        var lines = (await File.ReadAllLinesAsync(Repository.PathOf("deploy", "docker", "Dockerfile"))).Select(l => l.Trim()).ToList();

        Assert.Contains(lines, l => l.StartsWith("RUN bash eng/publish.sh $PUBLISH_OPTIONS \"$SERVER\" /app", StringComparison.Ordinal));
        Assert.Contains("USER app", lines);
        Assert.Contains("EXPOSE 8080", lines);
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK", StringComparison.Ordinal) && l.EndsWith("[\"/app/server\", \"healthcheck\"]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("CONNECTORS_AUTH=api-key", StringComparison.Ordinal));
        Assert.Equal(lines.IndexOf("USER app"), lines.FindLastIndex(l => l.StartsWith("USER ", StringComparison.Ordinal)));
    }

    /// <summary>A generated Secret's name without the content hash kustomize appends (drawn from consonants and digits).</summary>
    private static string StripHash(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name, "-[bcdfghkmt2456789]{10}$", "");
}
