using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Opsmon.Benchmarks.CollectorBenchmarks).Assembly).Run(args);
