using BenchmarkDotNet.Running;

// `gen …` writes the storage benchmark's data (bench/store-compare.sh); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "gen")
{
    return Opsmon.Benchmarks.HostDataGenerator.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Opsmon.Benchmarks.CollectorBenchmarks).Assembly).Run(args);
return 0;
