using System.Text;
using SenderAuth.Mail;

namespace SenderAuth.Tests.Mail;

[Trait("Layer", "engine")]
public class MessageHeaderFieldTests
{
    [Theory]
    [InlineData("Subject: plain\r\n", "plain")]
    [InlineData("Subject:   spaced \t\r\n", "spaced")]
    [InlineData("DKIM-Signature: v=1; a=rsa-sha256;\r\n\tb=abc\r\n\t def\r\n", "v=1; a=rsa-sha256;\tb=abc\t def")]
    [InlineData("To: a@example.com,\n b@example.com\n", "a@example.com, b@example.com")]
    [InlineData("X: lone\rcr\r\r\n kept\r\n", "lone\rcr\r kept")]
    [InlineData("Subject: caf\u00e9\r\n na\u00efve\r\n", "caf\u00e9 na\u00efve")]
    [InlineData("Empty:\r\n", "")]
    public void Value_UnfoldsAndTrims_AsTheDecodeThenReplaceRule(string field, string expected)
    {
        var message = MailMessage.Parse(Encoding.UTF8.GetBytes(field + "\r\nbody\r\n"));
        var header = Assert.Single(message.Headers);

        Assert.Equal(expected, header.Value);
        Assert.Equal(Reference(header.Raw.Span), header.Value);
    }

    [Fact]
    public void Value_InvalidUtf8NextToAFold_DecodesAsReceived()
    {
        // 0xC3 then a fold then 0xA9: decoding the field as received gives two replacement characters, not "é".
        var bytes = new byte[] { (byte)'X', (byte)':', (byte)' ', 0xC3, (byte)'\r', (byte)'\n', (byte)' ', 0xA9, (byte)'\r', (byte)'\n', (byte)'\r', (byte)'\n' };
        var header = Assert.Single(MailMessage.Parse(bytes).Headers);

        Assert.Equal(Reference(header.Raw.Span), header.Value);
        Assert.Equal("\uFFFD \uFFFD", header.Value);
    }

    [Theory]
    [InlineData("From: a@example.com\r\n", "From")]
    [InlineData("from: a@example.com\r\n", "from")]
    [InlineData("X-Custom-Header : v\r\n", "X-Custom-Header")]
    [InlineData("DKIM-Signature: v=1\r\n", "DKIM-Signature")]
    public void Name_IsTheFieldNameAsWritten(string field, string name)
    {
        var header = Assert.Single(MailMessage.Parse(Encoding.ASCII.GetBytes(field + "\r\n")).Headers);

        Assert.Equal(name, header.Name);
    }

    /// <summary>The rule as first written: decode as UTF-8, drop CRLF then LF, trim SP and HTAB.</summary>
    private static string Reference(ReadOnlySpan<byte> raw)
    {
        var text = Encoding.UTF8.GetString(raw[(raw.IndexOf((byte)':') + 1)..]);
        return text.Replace("\r\n", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim(' ', '\t');
    }
}
