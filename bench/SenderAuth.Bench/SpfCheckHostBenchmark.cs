using System.Net;
using BenchmarkDotNet.Attributes;
using SenderAuth.Dns;
using SenderAuth.Spf;

namespace SenderAuth.Bench;

/// <summary>
/// check_host on the ESP-style policy of <see cref="EspPolicy"/>, DNS answered from memory, so the figure is
/// the engine's own cost (parsing is cached by record text, as in production).
/// </summary>
[MemoryDiagnoser]
public class SpfCheckHostBenchmark
{
    private readonly IPAddress _passIp = IPAddress.Parse(EspPolicy.PassIp);
    private readonly IPAddress _softFailIp = IPAddress.Parse(EspPolicy.SoftFailIp);
    private BenchPolicy _policy = null!;
    private SpfEvaluator _evaluator = null!;

    [GlobalSetup]
    public void Setup()
    {
        _policy = EspPolicy.Create();
        _evaluator = new SpfEvaluator(new ZoneDnsResolver(_policy.ToZone()));
        // A benchmark of a wrong answer is worthless: fail the run instead.
        _policy.VerifyAsync(_evaluator).GetAwaiter().GetResult();
    }

    [Benchmark]
    public ValueTask<SpfOutcome> Pass() => _evaluator.CheckHostAsync(_passIp, _policy.Domain, _policy.Sender, _policy.Helo);

    [Benchmark]
    public ValueTask<SpfOutcome> SoftFail() => _evaluator.CheckHostAsync(_softFailIp, _policy.Domain, _policy.Sender, _policy.Helo);
}
