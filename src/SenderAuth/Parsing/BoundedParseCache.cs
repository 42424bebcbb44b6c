using System.Collections.Concurrent;

namespace SenderAuth.Parsing;

/// <summary>
/// Parsed records keyed by their exact text, so a record every message meets (an ESP's SPF include, a DMARC record,
/// a DKIM key whose RSA decoding costs far more than the lookup) is parsed once. Thread-safe; a hit takes no lock.
/// The server's signing cache (per From domain, its opened keys) keeps its entries here too, through
/// <see cref="TryGet"/> and <see cref="Set"/>; the DNS answer cache (<c>CachingDnsResolver</c>) does not, see there.
/// </summary>
/// <remarks>
/// <para>
/// The texts come from DNS, so an attacker with a wildcard-answering server chooses how many distinct records a
/// long-running receiver meets and how large each is. Bounded four ways (issue 19: a count bound alone let 10,000
/// distinct 60 KB records pin 1.1 to 4.6 GiB):
/// at most <see cref="MaxEntries"/> entries; at most <see cref="MaxBytes"/> bytes by the per-entry estimate
/// (<see cref="EntryOverhead"/> + the key as UTF-16 + the caller's estimate of the parsed value); no text longer than
/// <see cref="MaxTextLength"/> is kept (it is parsed, linearly, each time: no real record is that long); and a
/// failed parse is kept only when its text is at most <see cref="MaxFailureTextLength"/>, so a flood of large broken
/// records never occupies the cache while a popular domain's short broken record is still parsed once.
/// </para>
/// <para>
/// When an insert would cross either bound the whole cache is cleared and starts over: no recency bookkeeping on the
/// hot path, and a flood of distinct records costs one re-parse per record afterwards, never unbounded memory. Parsing
/// runs outside the lock, so two threads missing the same text may both parse it; the results are equal, and the
/// first stored wins.
/// </para>
/// </remarks>
/// <typeparam name="TValue">The parse result (may carry the error, and may be null for "not this kind of record").</typeparam>
internal sealed class BoundedParseCache<TValue>
{
    /// <summary>The count bound each of the three record caches had before this type: 10,000 records.</summary>
    public const int DefaultMaxEntries = 10_000;

    /// <summary>
    /// 16 MiB of estimated size, the DMARC cache's budget (SPF's and DKIM keys' take 32 MiB: 80 MiB in all): 10,000
    /// ordinary DMARC records (well under 1.6 KiB each with the parse) fit, so ordinary traffic meets the count bound
    /// first and behaves as before.
    /// </summary>
    public const long DefaultMaxBytes = 16L * 1024 * 1024;

    /// <summary>
    /// 4,096 characters: longer texts are parsed but not kept. A 4096-bit RSA key record is about 750 characters and
    /// ESP SPF records stay under 1,000.
    /// </summary>
    public const int DefaultMaxTextLength = 4096;

    /// <summary>512 characters: a failed parse of a longer text is not kept (failures are cheap to re-parse).</summary>
    public const int MaxFailureTextLength = 512;

    /// <summary>Bytes charged per entry besides key and value: the dictionary node and the string's header.</summary>
    public const int EntryOverhead = 64;

    private readonly ConcurrentDictionary<string, TValue> _entries = new(StringComparer.Ordinal);
    private readonly Func<TValue, long> _sizeOf;
    private readonly Func<TValue, bool> _isFailure;
    private readonly Lock _gate = new();
    private long _bytes;

    /// <param name="maxEntries">Most entries kept (at least 1).</param>
    /// <param name="maxBytes">Most bytes kept by the estimate (at least 1).</param>
    /// <param name="sizeOf">Estimated bytes the parsed value keeps alive beyond its key; 0 when null.</param>
    /// <param name="isFailure">Whether a value is a failed parse; none is when null.</param>
    /// <param name="maxTextLength">Longest text kept (at least 1).</param>
    public BoundedParseCache(int maxEntries = DefaultMaxEntries, long maxBytes = DefaultMaxBytes,
        Func<TValue, long>? sizeOf = null, Func<TValue, bool>? isFailure = null, int maxTextLength = DefaultMaxTextLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTextLength, 1);
        MaxEntries = maxEntries;
        MaxBytes = maxBytes;
        MaxTextLength = maxTextLength;
        _sizeOf = sizeOf ?? (static _ => 0);
        _isFailure = isFailure ?? (static _ => false);
    }

    /// <summary>Most entries kept before the cache starts over.</summary>
    public int MaxEntries { get; }

    /// <summary>Most estimated bytes kept before the cache starts over.</summary>
    public long MaxBytes { get; }

    /// <summary>Longest text kept; longer ones are parsed every time.</summary>
    public int MaxTextLength { get; }

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

    /// <summary>The bytes one entry is charged: <see cref="EntryOverhead"/>, the key as UTF-16 and the value's estimate.</summary>
    public long SizeOf(string text, TValue value) => EntryOverhead + ((long)text.Length * sizeof(char)) + _sizeOf(value);

    /// <summary>The cached result for <paramref name="text"/>, or <paramref name="parse"/>'s, which is then kept if it fits.</summary>
    public TValue GetOrAdd(string text, Func<string, TValue> parse)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(parse);
        if (text.Length > MaxTextLength)
        {
            return parse(text);
        }
        if (_entries.TryGetValue(text, out var hit))
        {
            return hit;
        }
        var value = parse(text);
        return Keeps(text, value) ? Store(text, value, replace: false) : value;
    }

    /// <summary>
    /// The value kept for <paramref name="key"/>, if any: for callers that decide themselves when an entry is stale
    /// (the server's signing cache, whose entries expire) and load it asynchronously; they store with <see cref="Set"/>.
    /// </summary>
    public bool TryGet(string key, out TValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _entries.TryGetValue(key, out value!);
    }

    /// <summary>
    /// Keeps <paramref name="value"/> for <paramref name="key"/>, replacing what was kept (a refreshed entry), under the
    /// same bounds as <see cref="GetOrAdd"/>; a value that may not be kept drops the old one, so no stale value stays.
    /// </summary>
    public void Set(string key, TValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Keeps(key, value))
        {
            Store(key, value, replace: true);
            return;
        }
        lock (_gate)
        {
            if (_entries.TryRemove(key, out var old))
            {
                _bytes -= SizeOf(key, old);
            }
        }
    }

    private bool Keeps(string text, TValue value) =>
        text.Length <= MaxTextLength && !(text.Length > MaxFailureTextLength && _isFailure(value)) && SizeOf(text, value) <= MaxBytes;

    private TValue Store(string text, TValue value, bool replace)
    {
        var size = SizeOf(text, value);
        lock (_gate)
        {
            var present = _entries.TryGetValue(text, out var old);
            if (present && !replace)
            {
                return old!;
            }
            var freed = present ? SizeOf(text, old!) : 0;
            if ((!present && _entries.Count >= MaxEntries) || _bytes - freed + size > MaxBytes)
            {
                _entries.Clear();
                _bytes = 0;
                freed = 0;
            }
            _entries[text] = value;
            _bytes += size - freed;
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
}
