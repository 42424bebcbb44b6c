using BenchmarkDotNet.Running;
using SenderAuth.Bench;
using SenderAuth.Bench.Harness;

// bench/run: every row, the peers and the table (Harness/).
if (args.Length > 0 && args[0] == "harness")
{
    return await HarnessCommand.RunAsync(args[1..]).ConfigureAwait(false);
}
if (args.Length > 0 && args[0] == "--dnssec-latency")
{
    return await DnssecLatency.RunAsync(Throughput.ParseOptions(args[1..])).ConfigureAwait(false);
}
if (args.Length > 0 && args[0] == "--check-latency")
{
    return await CheckLatency.RunAsync(Throughput.ParseOptions(args[1..])).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "--linearity")
{
    return await EngineLimits.LinearityAsync(Throughput.ParseOptions(args[1..])).ConfigureAwait(false);
}
if (args.Length > 0 && args[0] == "--cache-memory")
{
    return EngineLimits.CacheMemory(Throughput.ParseOptions(args[1..]));
}

if (args.Length > 0 && args[0] == "--stages")
{
    return await VerifyStages.RunAsync(Throughput.ParseOptions(args[1..])).ConfigureAwait(false);
}

// The loops the harness runs in a fresh process each (ours beside the peers, one JSON line out), and the
// BenchmarkDotNet suite (everything else on the command line goes to BenchmarkSwitcher).
if (args.Length > 0 && args[0] is "--throughput" or "--write-policy" or "--write-spf-batch" or "--write-dkim-keys" or "--write-report")
{
    return await Throughput.MainAsync(args).ConfigureAwait(false);
}
BenchmarkSwitcher.FromAssembly(typeof(Throughput).Assembly).Run(args);
return 0;
