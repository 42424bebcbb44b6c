namespace SenderAuth.Dns;

/// <summary>
/// Shares answers within one unit of work (one message's verification): the first ask goes out, later and
/// concurrent asks for the same name and type get the same answer. No TTL and no eviction: it lives as long as
/// the work. <see cref="CachingDnsResolver"/> is for long-lived caches; this is lighter, because a message's
/// handful of queries is on the verification hot path.
/// </summary>
public sealed class DnsMemo(IDnsResolver inner) : IDnsResolver
{
    private readonly Dictionary<(string Name, DnsRecordType Type), Task<DnsAnswer>> _answers = [];
    private readonly Lock _gate = new();

    /// <inheritdoc/>
    public ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        var key = (DnsName.Normalize(name), type);
        TaskCompletionSource<DnsAnswer> pending;
        lock (_gate)
        {
            if (_answers.TryGetValue(key, out var known))
            {
                return known.IsCompletedSuccessfully ? new ValueTask<DnsAnswer>(known.Result) : new ValueTask<DnsAnswer>(known.WaitAsync(cancellationToken));
            }
            pending = new TaskCompletionSource<DnsAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
            _answers[key] = pending.Task;
        }
        var query = inner.QueryAsync(key.Item1, type, cancellationToken);
        if (query.IsCompletedSuccessfully)
        {
            pending.SetResult(query.Result);
            return query;
        }
        return AwaitAsync(query, pending);
    }

    private static async ValueTask<DnsAnswer> AwaitAsync(ValueTask<DnsAnswer> query, TaskCompletionSource<DnsAnswer> pending)
    {
        try
        {
            var answer = await query.ConfigureAwait(false);
            pending.SetResult(answer);
            return answer;
        }
        catch (OperationCanceledException e)
        {
            pending.SetCanceled(e.CancellationToken);
            throw;
        }
        catch (Exception e)
        {
            pending.SetException(e);
            throw;
        }
    }
}
