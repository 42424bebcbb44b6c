namespace SenderAuth.Dns;

/// <summary>One query seen by <see cref="DnsQueryLog"/>; the name is normalized.</summary>
/// <param name="Name">The name asked, normalized.</param>
/// <param name="Type">The type asked.</param>
/// <param name="Status">The status of the answer.</param>
public sealed record DnsQueryLogEntry(string Name, DnsRecordType Type, DnsStatus Status)
{
    /// <c>TXT example.com -> NoData</c>: the form test failures print.
    public override string ToString() => $"{Type.ToString().ToUpperInvariant()} {Name} -> {Status}";
}

/// <summary>
/// Passes queries on and records each one, in completion order, so tests can assert exact query sequences
/// (e.g. RFC 7208 lookup limits). Cancelled queries have no status and are not recorded. Thread-safe.
/// </summary>
public sealed class DnsQueryLog(IDnsResolver inner) : IDnsResolver
{
    private readonly List<DnsQueryLogEntry> _entries = [];
    private readonly Lock _gate = new();

    /// <summary>A snapshot of the queries so far.</summary>
    public IReadOnlyList<DnsQueryLogEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>How many queries completed so far.</summary>
    public int Count()
    {
        lock (_gate)
        {
            return _entries.Count;
        }
    }

    /// <summary>How many queries of <paramref name="type"/> completed so far.</summary>
    public int Count(DnsRecordType type)
    {
        lock (_gate)
        {
            return _entries.Count(e => e.Type == type);
        }
    }

    /// <summary>How many times <paramref name="name"/> (normalized) was asked for <paramref name="type"/>.</summary>
    public int Count(string name, DnsRecordType type)
    {
        var n = DnsName.Normalize(name);
        lock (_gate)
        {
            return _entries.Count(e => e.Type == type && e.Name == n);
        }
    }

    /// <summary>Forgets the queries recorded so far, e.g. after a warm-up.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        var answer = await inner.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _entries.Add(new DnsQueryLogEntry(DnsName.Normalize(name), type, answer.Status));
        }
        return answer;
    }
}
