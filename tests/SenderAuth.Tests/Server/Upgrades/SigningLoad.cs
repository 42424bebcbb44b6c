using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using SenderAuth.Tests.Cli;

namespace SenderAuth.Tests.Server.Upgrades;

/// <summary>
/// One client signing through the real server's API, in turn for each (institution, sender) given, until stopped:
/// the load a backup runs under. Every signature keeps its request's start and end (Stopwatch timestamps), so a test
/// can tell which were made while the backup ran, and the signed message, so it can verify them afterwards.
/// </summary>
internal sealed class SigningLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;

    public sealed record Signature(string Institution, string Domain, long Start, long End, byte[] Message);

    public ConcurrentQueue<Signature> Signatures { get; } = new();

    /// <summary>Any answer but 200, with its body: a backup must not disturb signing.</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    private SigningLoad(ServerProcess server, (string Institution, string Domain)[] senders, CancellationToken ct)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _loop = Task.Run(() => RunAsync(server, senders, _stop.Token), ct);
    }

    public static SigningLoad Start(ServerProcess server, CancellationToken ct, params (string Institution, string Domain)[] senders) =>
        new(server, senders, ct);

    public bool IsFaulted => _loop.IsFaulted;

    /// <summary>Waits until <paramref name="count"/> signatures are made (the load is running), failing if it stopped.</summary>
    public async Task WaitForAsync(int count, CancellationToken ct)
    {
        while (Signatures.Count < count)
        {
            Assert.False(_loop.IsCompleted, $"the signing load stopped after {Signatures.Count} signatures: {_loop.Exception?.GetBaseException().Message} {string.Join(" | ", Failures)}");
            await Task.Delay(50, ct);
        }
    }

    /// <summary>The signatures whose whole request fell between two timestamps.</summary>
    public List<Signature> Within(long start, long end) => [.. Signatures.Where(s => s.Start >= start && s.End <= end)];

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_loop.IsCompleted)
        {
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Disposed on a failed test's way out: the failure that got us here is the one to report.
            }
        }
        _stop.Dispose();
    }

    private async Task RunAsync(ServerProcess server, (string Institution, string Domain)[] senders, CancellationToken stop)
    {
        using var client = server.Client();
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var (who, domain) = senders[n % senders.Length];
            var start = Stopwatch.GetTimestamp();
            HttpResponseMessage r;
            try
            {
                r = await client.Sign(ApiClient.Message($"tickets@{domain}"), $"?institution={who}");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            using (r)
            {
                var body = await r.Content.ReadAsByteArrayAsync(CancellationToken.None);
                if (r.StatusCode != HttpStatusCode.OK)
                {
                    Failures.Enqueue($"sign {who}: {(int)r.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
                    continue;
                }
                Signatures.Enqueue(new Signature(who, domain, start, Stopwatch.GetTimestamp(), body));
            }
        }
    }
}
