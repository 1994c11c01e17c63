using BenchmarkDotNet.Running;

// Run through eng/bench-micro.sh (Release, in-process, artifacts under artifacts/bench/micro); arguments go to BenchmarkDotNet.
BenchmarkSwitcher.FromAssembly(typeof(Connectors.Micro.SqlGuardBenchmarks).Assembly).Run(args);
