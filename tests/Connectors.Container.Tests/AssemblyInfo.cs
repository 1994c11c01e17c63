// One container test at a time: the machine has two cores, and each container's time to ready is measured alone.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
