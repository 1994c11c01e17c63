// Each suite loads the machine (50 clients, a fuzzer, a CPU-bound search): one at a time, so none starves another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
