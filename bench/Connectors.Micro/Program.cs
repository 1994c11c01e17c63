using BenchmarkDotNet.Running;

// Run through eng/bench-micro.sh (Release, in-process, artifacts under artifacts/bench/micro); arguments go to BenchmarkDotNet.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Connectors.Micro.SqlGuardBenchmarks).Assembly).Run(args);

// A benchmark that threw shows as NA in its report; fail the command so it is not taken for a result.
return summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success)) ? 1 : 0;
