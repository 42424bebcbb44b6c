using SenderAuth.AuthenticationResults;

namespace SenderAuth.Tests.AuthenticationResults;

/// <summary>
/// The authserv-id of a received Authentication-Results field (RFC 8601 §2.2), as verify mode reads it to remove
/// fields forged with our id (§5): CFWS with nested comments and quoted-pairs, quoted-string ids, folding, version.
/// The old reader took the text from the first '(' to the first ')' as the comment and missed quoted ids.
/// </summary>
[Trait("Layer", "engine")]
public class AuthenticationResultsReaderTests
{
    [Theory]
    [InlineData(" mx.example.net; spf=pass", "mx.example.net")]
    [InlineData("mx.example.net;\n\tnone", "mx.example.net")]
    [InlineData(" mx.example.net; none", "mx.example.net")]
    [InlineData(" mx.example.net", "mx.example.net")]
    [InlineData(" (forged) mx.example.net 1; dkim=pass", "mx.example.net")]
    [InlineData(" \"mx.example.net\"; dkim=pass", "mx.example.net")]
    [InlineData(" \"mx.exa\\mple.net\" 1; dkim=pass", "mx.example.net")]
    [InlineData(" (a (nested) comment) mx.example.net; dmarc=pass", "mx.example.net")]
    [InlineData(" (a \\) quoted paren) mx.example.net (trailing (nested)) 1 (v); dkim=pass", "mx.example.net")]
    [InlineData("\r\n\t(folded)\r\n\tMX.Example.NET\r\n\t; spf=pass", "MX.Example.NET")]
    [InlineData(" other.example (mx.example.net); spf=pass", "other.example")]
    public void AuthServId_ReadsTheIdThroughCfwsAndQuotes(string value, string id)
    {
        Assert.Equal(id, AuthenticationResultsReader.AuthServId(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ; spf=pass")]
    [InlineData(" (unterminated mx.example.net; spf=pass")]
    [InlineData(" \"mx.example.net; spf=pass")]
    [InlineData(" mx.example.net garbage; spf=pass")]
    [InlineData(" mx.example.net/x; spf=pass")]
    public void AuthServId_NotAnAuthServId_IsNull(string value)
    {
        Assert.Null(AuthenticationResultsReader.AuthServId(value));
    }

    [Theory]
    [InlineData(" mx.example.net; spf=pass", true)]
    [InlineData(" MX.EXAMPLE.NET.; spf=pass", true)]
    [InlineData(" \"mx.example.net\"; dkim=pass", true)]
    [InlineData(" (x (y) z) mx.example.net 1; dkim=pass", true)]
    [InlineData(" other.example (mx.example.net); spf=pass", false)]
    [InlineData(" mx.example.net.evil.example; spf=pass", false)]
    [InlineData(" \"other.example\"; spf=pass", false)]
    // Unreadable but naming us: removed, since a downstream reader might take it for ours.
    [InlineData(" (unterminated mx.example.net; dkim=pass", true)]
    [InlineData(" \"mx.example.net; dkim=pass", true)]
    [InlineData(" (unterminated other.example; dkim=pass", false)]
    public void Claims_OurIdOnly(string value, bool claims)
    {
        Assert.Equal(claims, AuthenticationResultsReader.Claims(value, "mx.example.net"));
    }

    [Fact]
    public void AuthServId_ManyComments_LinearInTheValue()
    {
        // Found by fuzzing an earlier reader that rebuilt the text per comment: 200 KB of empty comments allocated
        // about 60 GB. One pass allocates a few times the value at most.
        var hostile = string.Concat(Enumerable.Repeat("()", 100_000)) + " mx.example.net; none";
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal("mx.example.net", AuthenticationResultsReader.AuthServId(hostile));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * hostile.Length);
    }
}
