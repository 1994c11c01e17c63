// Each suite loads the machine (50 clients, a fuzzer, a CPU-bound search): one at a time, so none starves another.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

// One cluster for the whole assembly, which any class may take: the suites run one at a time, so a test that stops the
// cluster never overlaps another that uses it.
[assembly: AssemblyFixture(typeof(Connectors.Resilience.Tests.ResilienceCluster))]
