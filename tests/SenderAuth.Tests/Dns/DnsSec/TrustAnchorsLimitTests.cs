using System.Text;
using SenderAuth.Dns;
using SenderAuth.Dns.DnsSec;

namespace SenderAuth.Tests.Dns.DnsSec;

/// <summary>
/// Trust-anchor parsing is linear in the file and bounded by <see cref="TrustAnchors.MaxLength"/> (issue 19: joining the
/// words of a digest one string concatenation at a time made a 1 MB file take over 20 s). Work is measured as bytes
/// allocated on the test's thread, not as time.
/// </summary>
[Trait("Layer", "engine")]
public class TrustAnchorsLimitTests
{
    /// <summary>A DS record whose digest is split over words of 64 hex digits, <paramref name="chars"/> long in all.</summary>
    private static string LongDigestFile(int chars)
    {
        var sb = new StringBuilder(". IN DS 20326 8 2 (\n");
        while (sb.Length < chars - 70)
        {
            sb.Append(' ').Append('A', 64).Append('\n');
        }
        return sb.Append(")\n").ToString();
    }

    private static long AllocatedParsing(string text)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<ZoneFileException>(() => TrustAnchors.Parse(text, "anchors"));
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Parse_OneMegabyteDigest_AllocationLinearInTheFile()
    {
        AllocatedParsing(LongDigestFile(4096)); // JIT
        var small = LongDigestFile(64 * 1024);
        var large = LongDigestFile(TrustAnchors.MaxLength);
        var smallBytes = AllocatedParsing(small);
        var largeBytes = AllocatedParsing(large);
        // Concatenation allocated the sum of every prefix: about 16,000 words × 512 KB (16 GB) for the large file.
        Assert.True(largeBytes < 24L * large.Length, $"{large.Length} characters allocated {largeBytes:N0} bytes");
        Assert.True(largeBytes < 2 * 16 * smallBytes, $"16 times the input allocated {largeBytes / (double)smallBytes:0.0} times as much");
    }

    [Fact]
    public void Parse_OneMegabyteDigest_RefusedAtTheZoneReadersRecordLimit()
    {
        // The zone reader refuses a record past ZoneFileLimits' 256 Ki characters where it crosses it, before the
        // trust-anchor reader sees the digest.
        var e = Assert.Throws<ZoneFileException>(() => TrustAnchors.Parse(LongDigestFile(TrustAnchors.MaxLength), "anchors"));
        Assert.Contains("record longer than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LongDigestWithinTheRecordLimit_DigestLengthError()
    {
        var e = Assert.Throws<ZoneFileException>(() => TrustAnchors.Parse(LongDigestFile(64 * 1024), "anchors"));
        Assert.Contains("digest type 2 has 32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OverMaxLength_Refused()
    {
        var e = Assert.Throws<ZoneFileException>(() => TrustAnchors.Parse(TrustAnchors.RootDs + new string(' ', TrustAnchors.MaxLength), "anchors"));
        Assert.Contains($"more than {TrustAnchors.MaxLength}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileOverMaxLength_RefusedBeforeReading()
    {
        var path = Path.Combine(Path.GetTempPath(), $"anchors-{Guid.NewGuid():N}.ds");
        try
        {
            using (var f = File.Create(path))
            {
                f.SetLength(TrustAnchors.MaxLength + 1L);
            }
            var e = Assert.Throws<ZoneFileException>(() => TrustAnchors.Load(path));
            Assert.Contains($"more than {TrustAnchors.MaxLength}", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
