using BenchmarkDotNet.Running;

// `gen …` writes the storage benchmark's data (bench/store-compare.sh); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "gen")
{
    return Opsmon.Benchmarks.HostDataGenerator.Run(args[1..]);
}

// `headload …` / `headmem …` / `headstore …`: the head-memory benchmark's remote-write sender and in-process probes (bench/head-memory.sh).
if (args.Length > 0 && args[0] is "headload" or "headmem" or "headstore")
{
    return args[0] switch
    {
        "headload" => Opsmon.Benchmarks.HeadLoad.Run(args[1..]),
        "headmem" => Opsmon.Benchmarks.HeadLoad.RunInProcess(args[1..]),
        _ => Opsmon.Benchmarks.HeadLoad.RunStore(args[1..]),
    };
}

BenchmarkSwitcher.FromAssembly(typeof(Opsmon.Benchmarks.CollectorBenchmarks).Assembly).Run(args);
return 0;
