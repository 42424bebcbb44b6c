using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Parsing;
using SenderAuth.Spf;

namespace SenderAuth.Tests.Parsing;

[Trait("Layer", "engine")]
public class BoundedParseCacheTests
{
    private const int Overhead = BoundedParseCache<int>.EntryOverhead;

    [Fact]
    public void GetOrAdd_SameText_ParsesOnce()
    {
        var cache = new BoundedParseCache<string>();
        var parses = 0;
        string Parse(string t)
        {
            parses++;
            return t.ToUpperInvariant();
        }
        Assert.Equal("V=SPF1", cache.GetOrAdd("v=spf1", Parse));
        Assert.Equal("V=SPF1", cache.GetOrAdd("v=spf1", Parse));
        Assert.Equal(1, parses);
        Assert.Equal(Overhead + 12, cache.Bytes);
    }

    [Fact]
    public void GetOrAdd_CountBoundReached_StartsOver()
    {
        var cache = new BoundedParseCache<int>(maxEntries: 3);
        foreach (var text in new[] { "a", "b", "c" })
        {
            cache.GetOrAdd(text, t => t.Length);
        }
        Assert.Equal(3, cache.Count);
        cache.GetOrAdd("d", t => t.Length);
        Assert.Equal((1, Overhead + 2L), (cache.Count, cache.Bytes));
    }

    [Fact]
    public void GetOrAdd_ByteBoundReached_StartsOver()
    {
        var cache = new BoundedParseCache<int>(maxBytes: (2 * Overhead) + 20);
        cache.GetOrAdd("abcd", t => t.Length);
        cache.GetOrAdd("efgh", t => t.Length);
        Assert.Equal((2, (2 * Overhead) + 16L), (cache.Count, cache.Bytes));
        cache.GetOrAdd("ij", t => t.Length);
        Assert.Equal((1, Overhead + 4L), (cache.Count, cache.Bytes));
    }

    [Fact]
    public void GetOrAdd_EntryLargerThanByteBound_IsReturnedNotKept()
    {
        var cache = new BoundedParseCache<int>(maxBytes: Overhead + 10);
        cache.GetOrAdd("ab", t => t.Length);
        Assert.Equal(6, cache.GetOrAdd("abcdef", t => t.Length));
        Assert.Equal((1, Overhead + 4L), (cache.Count, cache.Bytes));
    }

    [Fact]
    public void GetOrAdd_SizeEstimate_ChargesKeyAndValue()
    {
        var cache = new BoundedParseCache<byte[]>(sizeOf: value => value.Length);
        cache.GetOrAdd("key", _ => new byte[40]);
        Assert.Equal(Overhead + 6 + 40, cache.Bytes);
    }

    [Fact]
    public void GetOrAdd_TextOverMaxLength_ParsedEveryTimeNotKept()
    {
        var cache = new BoundedParseCache<int>(maxTextLength: 8);
        var parses = 0;
        cache.GetOrAdd("123456789", t => ++parses);
        cache.GetOrAdd("123456789", t => ++parses);
        Assert.Equal((2, 0, 0L), (parses, cache.Count, cache.Bytes));
        cache.GetOrAdd("12345678", t => ++parses);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void GetOrAdd_Failures_OnlyShortOnesKept()
    {
        var cache = new BoundedParseCache<string?>(isFailure: v => v is null);
        cache.GetOrAdd("short and broken", _ => null);
        Assert.Equal(1, cache.Count);
        cache.GetOrAdd(new string('x', BoundedParseCache<int>.MaxFailureTextLength + 1), _ => null);
        Assert.Equal(1, cache.Count);
        cache.GetOrAdd(new string('y', BoundedParseCache<int>.MaxFailureTextLength + 1), t => t);
        Assert.Equal(2, cache.Count);
    }

    /// <summary>
    /// A wildcard-answering DNS server makes any number of distinct records for free: the SPF, DMARC and DKIM key
    /// caches each stay within their byte budget however many are fed (issue 19: 10,000 records of 60 KB pinned
    /// 1.1 to 4.6 GiB), and records longer than the cacheable length are never kept (each cache uses the default text length).
    /// </summary>
    [Fact]
    public void RecordCaches_StreamOfDistinctLargeRecords_StayWithinTheirBudget()
    {
        using var signing = DkimPrivateKey.Generate(DkimKeyType.Ed25519);
        var key = signing.PublicKey;
        for (var i = 0; i < 3000; i++)
        {
            var pad = new string('x', 3900 + (i % 100));
            SpfEvaluator.Parse($"v=spf1 ip4:192.0.2.{i % 250} a:{pad}.example -all {i}");
            DmarcRecord.Parse($"v=DMARC1; p=reject; rua=mailto:{pad}{i}@example.com");
            DkimKeyRecord.Parse($"v=DKIM1; k=ed25519; n={pad}{i}; p={Convert.ToBase64String(key.PublishedBytes)}", out _);
            Assert.InRange(SpfEvaluator.ParsedRecords.Bytes, 0, SpfEvaluator.ParsedRecords.MaxBytes);
            Assert.InRange(DmarcRecord.Cache.Bytes, 0, DmarcRecord.Cache.MaxBytes);
            Assert.InRange(DkimKeyRecord.Cache.Bytes, 0, DkimKeyRecord.Cache.MaxBytes);
        }
        Assert.All([SpfEvaluator.ParsedRecords.MaxTextLength, DmarcRecord.Cache.MaxTextLength, DkimKeyRecord.Cache.MaxTextLength],
            max => Assert.Equal(BoundedParseCache<int>.DefaultMaxTextLength, max));
    }

    [Fact]
    public void Estimates_OrdinaryRecords_TenThousandFitTheBudget()
    {
        // 10,000 ordinary records must fit each budget, so the count bound is met first, as before issue 19.
        var text = "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 include:_spf.esp.example include:mail.example.net ~all";
        var (record, error) = SpfEvaluator.Parse(text);
        var size = SpfEvaluator.ParsedRecords.SizeOf(text, (record, error));
        Assert.InRange(size, 200, SpfEvaluator.ParsedRecords.MaxBytes / SpfEvaluator.ParsedRecords.MaxEntries);

        var dmarc = "v=DMARC1; p=reject; sp=quarantine; adkim=s; rua=mailto:dmarc@example.com,mailto:reports@esp.example";
        Assert.InRange(DmarcRecord.Cache.SizeOf(dmarc, DmarcRecord.Parse(dmarc)), 200, DmarcRecord.Cache.MaxBytes / DmarcRecord.Cache.MaxEntries);

        using var rsa = DkimPrivateKey.Generate(DkimKeyType.Rsa, 2048);
        var keyText = DkimKeyRecord.TxtValue(rsa.PublicKey);
        var key = DkimKeyRecord.Parse(keyText, out var keyError);
        Assert.InRange(DkimKeyRecord.Cache.SizeOf(keyText, (key, keyError)), 1000, DkimKeyRecord.Cache.MaxBytes / DkimKeyRecord.Cache.MaxEntries);
    }

    [Fact]
    public void Set_SameKey_ReplacesTheValueAndItsBytes()
    {
        var cache = new BoundedParseCache<string>(sizeOf: v => v.Length);
        cache.Set("a.example", "old");
        cache.Set("a.example", "newer");

        Assert.True(cache.TryGet("a.example", out var value));
        Assert.Equal(("newer", 1, Overhead + 18 + 5L), (value, cache.Count, cache.Bytes));
        Assert.False(cache.TryGet("b.example", out _));
    }

    [Fact]
    public void Set_CountBoundReached_StartsOverButAReplacementDoesNot()
    {
        var cache = new BoundedParseCache<int>(maxEntries: 2);
        cache.Set("a", 1);
        cache.Set("b", 2);
        cache.Set("b", 3);
        Assert.Equal(2, cache.Count);

        cache.Set("c", 4);

        Assert.Equal((1, Overhead + 2L), (cache.Count, cache.Bytes));
        Assert.True(cache.TryGet("c", out var c) && c == 4);
    }

    [Fact]
    public void Set_ValueTooLargeToKeep_DropsTheOldOne()
    {
        var cache = new BoundedParseCache<int>(maxBytes: Overhead + 100, sizeOf: v => v);
        cache.Set("k", 10);

        cache.Set("k", 1000);

        Assert.False(cache.TryGet("k", out _));
        Assert.Equal((0, 0L), (cache.Count, cache.Bytes));
    }
}
