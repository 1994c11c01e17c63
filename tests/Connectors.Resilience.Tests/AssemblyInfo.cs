// Each suite loads the machine (50 clients, a fuzzer, a CPU-bound search): one at a time, so none starves another.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
