using System.Collections.Concurrent;

namespace SenderAuth.Parsing;

/// <summary>
/// Parsed records keyed by their exact text, so a record every message meets (an ESP's SPF include, a DMARC record,
/// a DKIM key whose RSA decoding costs far more than the lookup) is parsed once. Thread-safe; a hit takes no lock.
/// </summary>
/// <remarks>
/// <para>
/// Bounded twice: at most <see cref="MaxEntries"/> entries, and at most <see cref="MaxBytes"/> bytes by the
/// per-entry size estimate (by default the record text as UTF-16, two bytes a character, which is what the key
/// keeps alive; issue 19 may add the parsed value's own size through the estimate). The count alone let 10,000
/// records of 64 KiB (a TXT record may be that long) hold over a gigabyte; with the byte bound a domain that
/// publishes huge records only makes the cache start over sooner.
/// </para>
/// <para>
/// When an insert would cross either bound the whole cache is cleared and starts over, as the three caches this
/// type replaces did: no recency bookkeeping on the hot path, and a flood of distinct records (an attacker's
/// random selectors) costs one re-parse per record afterwards, never unbounded memory. An entry larger than
/// <see cref="MaxBytes"/> on its own is returned without being cached. Parsing runs outside the lock, so two
/// threads missing the same text may both parse it; the results are equal, and the first stored wins.
/// </para>
/// </remarks>
/// <typeparam name="TValue">The parse result (may carry the error, and may be null for "not this kind of record").</typeparam>
internal sealed class BoundedParseCache<TValue>
{
    /// <summary>The count bound each of the three record caches had before this type: 10,000 records.</summary>
    public const int DefaultMaxEntries = 10_000;

    /// <summary>
    /// 16 MiB of estimated size: 10,000 records of 800 characters (a 4096-bit RSA key record is about 750) fit, so
    /// ordinary traffic meets the count bound first and behaves as before.
    /// </summary>
    public const long DefaultMaxBytes = 16L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, TValue> _entries = new(StringComparer.Ordinal);
    private readonly Func<string, TValue, long> _sizeOf;
    private readonly Lock _gate = new();
    private long _bytes;

    /// <param name="maxEntries">Most entries kept (at least 1).</param>
    /// <param name="maxBytes">Most bytes kept by <paramref name="sizeOf"/>'s estimate (at least 1).</param>
    /// <param name="sizeOf">Estimated bytes an entry keeps alive; the text as UTF-16 when null.</param>
    public BoundedParseCache(int maxEntries = DefaultMaxEntries, long maxBytes = DefaultMaxBytes, Func<string, TValue, long>? sizeOf = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        MaxEntries = maxEntries;
        MaxBytes = maxBytes;
        _sizeOf = sizeOf ?? TextBytes;
    }

    /// <summary>Most entries kept before the cache starts over.</summary>
    public int MaxEntries { get; }

    /// <summary>Most estimated bytes kept before the cache starts over.</summary>
    public long MaxBytes { get; }

    /// <summary>Entries held now.</summary>
    public int Count => _entries.Count;

    /// <summary>Estimated bytes held now.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The cached result for <paramref name="text"/>, or <paramref name="parse"/>'s, which is then kept.</summary>
    public TValue GetOrAdd(string text, Func<string, TValue> parse)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(parse);
        if (_entries.TryGetValue(text, out var hit))
        {
            return hit;
        }
        var value = parse(text);
        var size = _sizeOf(text, value);
        if (size > MaxBytes)
        {
            return value;
        }
        lock (_gate)
        {
            if (_entries.TryGetValue(text, out hit))
            {
                return hit;
            }
            if (_entries.Count >= MaxEntries || _bytes + size > MaxBytes)
            {
                _entries.Clear();
                _bytes = 0;
            }
            _entries[text] = value;
            _bytes += size;
        }
        return value;
    }

    /// <summary>Empties the cache (tests use it to start from a known state).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _bytes = 0;
        }
    }

    private static long TextBytes(string text, TValue value) => (long)text.Length * sizeof(char);
}
