namespace SenderAuth.Dns;

/// <summary>
/// Keeps answers of another resolver for their TTL (bounded by <see cref="CachingDnsResolverOptions"/>), measured on
/// a <see cref="TimeProvider"/> so tests control the clock. SERVFAIL and timeouts are not kept: they say nothing about
/// the data. Identical queries in flight at the same time share one inner query. Thread-safe.
/// </summary>
public sealed class CachingDnsResolver : IDnsResolver
{
    private readonly IDnsResolver _inner;
    private readonly TimeProvider _time;
    private readonly CachingDnsResolverOptions _options;
    private readonly Lock _gate = new();
    // Not on Parsing/BoundedParseCache, whose answer to "full" is to start over empty: every answer here has its own
    // expiry, and a full cache drops the expired ones first, then the soonest to expire (Full_DropsExpiredEntriesFirst),
    // so a flood of one-off names does not also throw out the answers every message needs. This cache is bounded by
    // count only (CachingDnsResolverOptions.MaxEntries); answers are not charged by size.
    private readonly Dictionary<(string Name, DnsRecordType Type), Entry> _entries = [];
    private readonly Dictionary<(string Name, DnsRecordType Type), Flight> _flights = [];

    /// <summary>A cache in front of <paramref name="inner"/>.</summary>
    /// <param name="inner">The resolver that really asks (usually <see cref="NetworkDnsResolver"/>).</param>
    /// <param name="timeProvider">Clock for TTL expiry; the system's by default, a fake one in tests.</param>
    /// <param name="options">Size and TTL bounds; defaults when null.</param>
    public CachingDnsResolver(IDnsResolver inner, TimeProvider? timeProvider = null, CachingDnsResolverOptions? options = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _time = timeProvider ?? TimeProvider.System;
        _options = options ?? new CachingDnsResolverOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxEntries, 1, nameof(options));
    }

    /// <summary>Answers held, including expired ones not yet dropped.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Forgets every cached answer (in-flight queries still complete and are shared).</summary>
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
        cancellationToken.ThrowIfCancellationRequested();
        var key = (DnsName.Normalize(name), type);
        Flight flight;
        var owner = false;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_entries.TryGetValue(key, out var entry))
            {
                if (now < entry.ExpiresAt)
                {
                    return entry.Answer with { Ttl = _time.GetElapsedTime(now, entry.ExpiresAt) };
                }
                _entries.Remove(key);
            }
            if (!_flights.TryGetValue(key, out flight!))
            {
                _flights[key] = flight = new Flight();
                owner = true;
            }
            flight.Waiters++;
        }
        if (owner)
        {
            _ = RunAsync(key, flight);
        }
        try
        {
            return await flight.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Leave(key, flight);
            throw;
        }
    }

    /// <summary>Runs the shared inner query; detached from any one caller so that caller's cancellation spares the rest.</summary>
    private async Task RunAsync((string Name, DnsRecordType Type) key, Flight flight)
    {
        try
        {
            var answer = await _inner.QueryAsync(key.Name, key.Type, flight.Cancel.Token).ConfigureAwait(false);
            lock (_gate)
            {
                flight.Done = true;
                Forget(key, flight);
                Store(key, answer);
            }
            flight.Result.TrySetResult(answer);
        }
#pragma warning disable CA1031 // Handed to the waiters, who see the inner resolver's own exception.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                flight.Done = true;
                Forget(key, flight);
            }
            if (ex is OperationCanceledException)
            {
                flight.Result.TrySetCanceled();
            }
            else
            {
                flight.Result.TrySetException(ex);
            }
        }
    }

    /// <summary>A waiter gave up; when none is left the inner query is pointless, so it is cancelled.</summary>
    private void Leave((string Name, DnsRecordType Type) key, Flight flight)
    {
        lock (_gate)
        {
            if (--flight.Waiters > 0 || flight.Done)
            {
                return;
            }
            // Later callers must not join a query that is being cancelled.
            Forget(key, flight);
        }
        // Outside the lock: cancellation callbacks may run synchronously and come back into this class.
        flight.Cancel.Cancel();
    }

    private void Forget((string Name, DnsRecordType Type) key, Flight flight)
    {
        if (_flights.TryGetValue(key, out var current) && current == flight)
        {
            _flights.Remove(key);
        }
    }

    private void Store((string Name, DnsRecordType Type) key, DnsAnswer answer)
    {
        if (answer.IsTemporaryFailure)
        {
            return;
        }
        var ttl = answer.Ttl;
        ttl = ttl > _options.MaxTtl ? _options.MaxTtl : ttl;
        ttl = ttl < _options.MinTtl ? _options.MinTtl : ttl;
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }
        var now = _time.GetTimestamp();
        if (!_entries.ContainsKey(key) && _entries.Count >= _options.MaxEntries)
        {
            Evict(now);
        }
        var ticks = (long)Math.Min(ttl.TotalSeconds * _time.TimestampFrequency, long.MaxValue - now);
        _entries[key] = new Entry(answer, now + ticks);
    }

    /// <summary>Drops expired answers; if that frees nothing, the tenth expiring soonest, so eviction stays rare.</summary>
    private void Evict(long now)
    {
        var expired = _entries.Where(e => e.Value.ExpiresAt <= now).Select(e => e.Key).ToList();
        if (expired.Count == 0)
        {
            var n = Math.Max(1, _options.MaxEntries / 10);
            expired = _entries.OrderBy(e => e.Value.ExpiresAt).Take(n).Select(e => e.Key).ToList();
        }
        foreach (var k in expired)
        {
            _entries.Remove(k);
        }
    }

    private sealed record Entry(DnsAnswer Answer, long ExpiresAt);

    private sealed class Flight
    {
        public TaskCompletionSource<DnsAnswer> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Never disposed: it has no timer, and Leave may cancel it after the query has finished.
        public CancellationTokenSource Cancel { get; } = new();

        public int Waiters { get; set; }

        public bool Done { get; set; }
    }
}
