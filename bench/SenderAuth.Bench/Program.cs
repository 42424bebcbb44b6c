using BenchmarkDotNet.Running;
using SenderAuth.Bench;

if (args.Length > 0 && args[0] == "--dnssec-latency")
{
    return await DnssecLatency.RunAsync(Throughput.ParseOptions(args[1..])).ConfigureAwait(false);
}
if (args.Length > 0 && args[0] == "--check-latency")
{
    return await CheckLatency.RunAsync(Throughput.ParseOptions(args[1..])).ConfigureAwait(false);
}

// Two modes: plain throughput loops that bench/run compares with the peers in the same run, and the
// BenchmarkDotNet suite (everything else on the command line goes to BenchmarkSwitcher).
if (args.Length > 0 && args[0] is "--throughput" or "--write-policy" or "--write-dkim-keys" or "--write-report")
{
    return await Throughput.MainAsync(args).ConfigureAwait(false);
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
