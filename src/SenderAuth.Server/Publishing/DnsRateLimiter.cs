using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace SenderAuth.Server.Publishing;

/// <summary>What to do with one UDP answer.</summary>
public enum RateLimitDecision
{
    Answer,

    /// <summary>Send a truncated answer (TC=1, no records): a real client retries over TCP.</summary>
    Slip,

    Drop,
}

/// <summary>
/// Response-rate limiting per client network (<see cref="DnsRateLimitOptions"/>): one token bucket per /24 (IPv4) or
/// /56 (IPv6), refilled at ResponsesPerSecond up to Burst. Written by hand: System.Threading.RateLimiting's
/// partitioned limiter keeps every partition for ever (no bound on spoofed sources) and has no notion of slip.
/// </summary>
/// <remarks>
/// Memory is bounded by MaxTrackedNetworks: when the table is full, buckets idle long enough to be full again are
/// swept (at most once a second); networks still not fitting share one overflow bucket, so a flood of spoofed
/// sources limits itself rather than growing the table.
/// </remarks>
public sealed class DnsRateLimiter
{
    private readonly DnsRateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<NetworkKey, Bucket> _buckets = new();
    private readonly Bucket _overflow;
    private long _lastSweep;
    private long _dropped;
    private long _slipped;

    public DnsRateLimiter(DnsRateLimitOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        _overflow = new Bucket(options.Burst, _time.GetTimestamp());
    }

    /// <summary>Client networks tracked now.</summary>
    public int TrackedNetworks => _buckets.Count;

    public RateLimitDecision Decide(IPAddress client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!_options.Enabled)
        {
            return RateLimitDecision.Answer;
        }
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }
        if (_options.ExemptLoopback && IPAddress.IsLoopback(client))
        {
            return RateLimitDecision.Answer;
        }
        var now = _time.GetTimestamp();
        var bucket = BucketFor(Key(client), now);
        var decision = bucket.Take(now, _time, _options);
        if (decision == RateLimitDecision.Drop)
        {
            Interlocked.Increment(ref _dropped);
        }
        else if (decision == RateLimitDecision.Slip)
        {
            Interlocked.Increment(ref _slipped);
        }
        return decision;
    }

    /// <summary>Answers dropped and slipped since the last call (for the periodic summary in the log).</summary>
    public (long Dropped, long Slipped) TakeCounts() => (Interlocked.Exchange(ref _dropped, 0), Interlocked.Exchange(ref _slipped, 0));

    /// <summary>The client's network: the address masked to the configured prefix.</summary>
    private NetworkKey Key(IPAddress client)
    {
        Span<byte> bytes = stackalloc byte[16];
        client.TryWriteBytes(bytes, out var written);
        if (client.AddressFamily == AddressFamily.InterNetwork)
        {
            var v4 = BinaryPrimitives.ReadUInt32BigEndian(bytes[..written]);
            return new NetworkKey(true, v4 & (uint.MaxValue << (32 - _options.Ipv4PrefixLength)));
        }
        var v6 = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return new NetworkKey(false, _options.Ipv6PrefixLength >= 128 ? v6 : v6 & ~(UInt128.MaxValue >> _options.Ipv6PrefixLength));
    }

    private readonly record struct NetworkKey(bool V4, UInt128 Network);

    private Bucket BucketFor(NetworkKey key, long now)
    {
        if (_buckets.TryGetValue(key, out var bucket))
        {
            return bucket;
        }
        if (_buckets.Count >= _options.MaxTrackedNetworks)
        {
            Sweep(now);
            if (_buckets.Count >= _options.MaxTrackedNetworks)
            {
                return _overflow;
            }
        }
        return _buckets.GetOrAdd(key, _ => new Bucket(_options.Burst, now));
    }

    /// <summary>Drops buckets idle long enough to have refilled: forgetting them changes no decision.</summary>
    private void Sweep(long now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (_time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1) || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }
        var refill = TimeSpan.FromSeconds(_options.Burst / _options.ResponsesPerSecond);
        foreach (var (key, bucket) in _buckets)
        {
            if (_time.GetElapsedTime(bucket.LastSeen, now) > refill)
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    private sealed class Bucket(double tokens, long now)
    {
        private readonly Lock _lock = new();
        private double _tokens = tokens;
        private long _refilled = now;
        private long _over;

        public long LastSeen => Volatile.Read(ref _refilled);

        public RateLimitDecision Take(long now, TimeProvider time, DnsRateLimitOptions options)
        {
            lock (_lock)
            {
                var elapsed = time.GetElapsedTime(_refilled, now).TotalSeconds;
                if (elapsed > 0)
                {
                    _tokens = Math.Min(options.Burst, _tokens + elapsed * options.ResponsesPerSecond);
                    Volatile.Write(ref _refilled, now);
                }
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return RateLimitDecision.Answer;
                }
                _over++;
                return options.Slip > 0 && _over % options.Slip == 0 ? RateLimitDecision.Slip : RateLimitDecision.Drop;
            }
        }
    }
}
