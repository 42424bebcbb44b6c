using SenderAuth.Parsing;

namespace SenderAuth.Tests.Parsing;

[Trait("Layer", "engine")]
public class BoundedParseCacheTests
{
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
        Assert.Equal(12, cache.Bytes);
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
        Assert.Equal(1, cache.Count);
        Assert.Equal(2, cache.Bytes);
    }

    [Fact]
    public void GetOrAdd_ByteBoundReached_StartsOver()
    {
        var cache = new BoundedParseCache<int>(maxBytes: 10);
        cache.GetOrAdd("abcd", t => t.Length);
        Assert.Equal(8, cache.Bytes);
        cache.GetOrAdd("ef", t => t.Length);
        Assert.Equal((1, 4L), (cache.Count, cache.Bytes));
    }

    [Fact]
    public void GetOrAdd_EntryLargerThanByteBound_IsReturnedNotKept()
    {
        var cache = new BoundedParseCache<int>(maxBytes: 10);
        cache.GetOrAdd("ab", t => t.Length);
        Assert.Equal(6, cache.GetOrAdd("abcdef", t => t.Length));
        Assert.Equal((1, 4L), (cache.Count, cache.Bytes));
    }

    [Fact]
    public void GetOrAdd_SizeEstimate_CountsWhatTheCallerSays()
    {
        var cache = new BoundedParseCache<byte[]>(maxBytes: 100, sizeOf: (text, value) => text.Length + value.Length);
        cache.GetOrAdd("key", _ => new byte[40]);
        Assert.Equal(43, cache.Bytes);
    }
}
