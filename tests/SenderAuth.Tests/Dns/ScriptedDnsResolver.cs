using System.Collections.Concurrent;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dns;

/// <summary>Answers what the test set, counts calls, and can hold answers back until released.</summary>
internal sealed class ScriptedDnsResolver : IDnsResolver
{
    private readonly ConcurrentDictionary<(string, DnsRecordType), DnsAnswer> _answers = new();
    private int _calls;

    public TaskCompletionSource? Gate { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public CancellationToken LastToken { get; private set; }

    public void Set(string name, DnsRecordType type, DnsAnswer answer) => _answers[(name, type)] = answer;

    public async ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        LastToken = cancellationToken;
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        return _answers.TryGetValue((DnsName.Normalize(name), type), out var a) ? a : DnsAnswer.NxDomain(TimeSpan.FromSeconds(30));
    }
}
