using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using SenderAuth.Dkim;

namespace SenderAuth.Tests.Dkim;

[Trait("Layer", "engine")]
public class DkimCanonicalizationTests
{
    [Theory]
    [InlineData("SubJect :  a \t b  \r\n\t c  \r\n", "subject:a b c\r\n")]
    [InlineData("A: X\r\n", "a:X\r\n")]
    [InlineData("B : Y\t\r\n\tZ  \r\n", "b:Y Z\r\n")]
    [InlineData("C:\r\n", "c:\r\n")]
    public void Relaxed_Header_Rfc6376Section3_4_2(string field, string expected)
    {
        var buffer = new ArrayBufferWriter<byte>();
        DkimHeaderCanonicalizer.Canonicalize(Encoding.ASCII.GetBytes(field), DkimCanonicalization.Relaxed, buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Simple_Header_KeepsEverythingButNormalizesLineEnds()
    {
        var buffer = new ArrayBufferWriter<byte>();
        DkimHeaderCanonicalizer.Canonicalize(Encoding.ASCII.GetBytes("SubJect :  a \n\t b  \n"), DkimCanonicalization.Simple, buffer);
        Assert.Equal("SubJect :  a \r\n\t b  \r\n", Encoding.ASCII.GetString(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData(" C \r\nD \t E\r\n\r\n\r\n", DkimCanonicalization.Relaxed, " C\r\nD E\r\n")]
    [InlineData(" C \r\nD \t E\r\n\r\n\r\n", DkimCanonicalization.Simple, " C \r\nD \t E\r\n")]
    [InlineData("no newline", DkimCanonicalization.Simple, "no newline\r\n")]
    [InlineData("no newline", DkimCanonicalization.Relaxed, "no newline\r\n")]
    [InlineData("a\n\nb\n", DkimCanonicalization.Simple, "a\r\n\r\nb\r\n")]
    [InlineData("a\rb\r\n", DkimCanonicalization.Simple, "a\rb\r\n")]
    [InlineData("  \t \r\n\r\nx\r\n  \r\n", DkimCanonicalization.Relaxed, "\r\n\r\nx\r\n")]
    public void Body_Rfc6376Section3_4_5(string body, DkimCanonicalization c, string canonical)
    {
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(canonical))), Hash(body, c, chunk: int.MaxValue));
    }

    [Fact]
    public void Body_AnyChunking_GivesTheSameHash()
    {
        var random = new Random(42);
        var pieces = new[] { "a", " ", "\t", "\r", "\n", "\r\n", "  \r\n", "\r\n\r\n", "word", "é" };
        for (var round = 0; round < 200; round++)
        {
            var body = string.Concat(Enumerable.Range(0, random.Next(0, 60)).Select(_ => pieces[random.Next(pieces.Length)]));
            foreach (var c in new[] { DkimCanonicalization.Simple, DkimCanonicalization.Relaxed })
            {
                var whole = Hash(body, c, int.MaxValue);
                Assert.Equal(whole, Hash(body, c, 1));
                Assert.Equal(whole, Hash(body, c, random.Next(2, 7)));
            }
        }
    }

    [Fact]
    public void Body_Relaxed_MatchesTheRfcRulesAppliedLineByLine()
    {
        // Long lines of words, most of them plain (the whole-line path), some with runs of WSP, tabs, lone CRs,
        // trailing WSP or nothing at all; CRLF and bare LF line ends; whole body at once and in small chunks.
        var random = new Random(7);
        var pieces = new[] { "word", "x", " ", " ", " ", "  ", "\t", "\r", "é", "=", "<td>" };
        for (var round = 0; round < 300; round++)
        {
            var lines = Enumerable.Range(0, random.Next(0, 12)).Select(_ =>
                string.Concat(Enumerable.Range(0, random.Next(0, 30)).Select(_ => pieces[random.Next(random.Next(2) == 0 ? 2 : pieces.Length)])));
            var body = string.Concat(lines.Select(l => l + (random.Next(3) == 0 ? "\n" : "\r\n")));
            if (random.Next(4) == 0)
            {
                body += "tail without line end ";
            }
            var expected = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(RelaxedReference(body))));
            Assert.Equal(expected, Hash(body, DkimCanonicalization.Relaxed, int.MaxValue));
            Assert.Equal(expected, Hash(body, DkimCanonicalization.Relaxed, random.Next(1, 40)));
        }
    }

    /// <summary>RFC 6376 §3.4.4 written plainly: per line, WSP runs to one SP and none at the end; trailing empty lines go.</summary>
    private static string RelaxedReference(string body)
    {
        var lines = body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        var canonical = lines.Select(l => System.Text.RegularExpressions.Regex.Replace(l, "[ \t]+", " ").TrimEnd(' ')).ToList();
        while (canonical.Count > 0 && canonical[^1].Length == 0)
        {
            canonical.RemoveAt(canonical.Count - 1);
        }
        return string.Concat(canonical.Select(l => l + "\r\n"));
    }

    [Fact]
    public void Body_LengthLimit_HashesOnlyThePrefixButCountsAll()
    {
        using var h = new DkimBodyHasher(DkimCanonicalization.Simple, HashAlgorithmName.SHA256, 5);
        h.Append("hello world\r\n"u8);
        var hash = h.Complete();
        Assert.Equal(SHA256.HashData("hello"u8), hash);
        Assert.Equal(13, h.CanonicalLength);
        Assert.Equal(5, h.HashedLength);
    }

    [Fact]
    public void Body_OneHugeLine_IsHashedInOnePass()
    {
        // Linear work on a 16 MiB line without line breaks (a known quadratic trap in other verifiers).
        var line = new byte[16 * 1024 * 1024];
        line.AsSpan().Fill((byte)'a');
        using var h = new DkimBodyHasher(DkimCanonicalization.Relaxed, HashAlgorithmName.SHA256);
        for (var i = 0; i < line.Length; i += 65536)
        {
            h.Append(line.AsSpan(i, 65536));
        }
        h.Complete();
        Assert.Equal(line.Length + 2, h.CanonicalLength);
    }

    private static string Hash(string body, DkimCanonicalization c, int chunk)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var h = new DkimBodyHasher(c, HashAlgorithmName.SHA256);
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            h.Append(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)));
        }
        return Convert.ToBase64String(h.Complete());
    }
}
