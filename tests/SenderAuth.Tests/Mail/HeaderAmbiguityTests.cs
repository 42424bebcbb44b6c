using System.Text;
using SenderAuth.Mail;

namespace SenderAuth.Tests.Mail;

/// <summary>
/// The one rule for ambiguous header lines (<see cref="MailMessage.Ambiguities"/>): which lines it flags, with which
/// reason, and what each line touches (the field it follows, the name a lenient parser reads). Messages are written
/// as Latin-1 strings so every byte is exact: "\u00a0" is the single byte 0xA0, "\u00c2\u00a0" the UTF-8 NBSP.
/// </summary>
[Trait("Layer", "engine")]
public class HeaderAmbiguityTests
{
    private static MailMessage Parse(string latin1) => MailMessage.Parse(Encoding.Latin1.GetBytes(latin1));

    private const string Top = "From: Mosa <tickets@example.com>\r\n";
    private const string Rest = "Subject: tickets\r\n\r\nbody\r\n";

    [Theory]
    // line inserted after From, reason, ReadAs (null: none), character
    [InlineData("\v, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingControlCharacter, null, "U+000B")]
    [InlineData("\f, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingControlCharacter, null, "U+000C")]
    [InlineData("\r, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingControlCharacter, null, "U+000D")]
    [InlineData("\0, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingControlCharacter, null, "U+0000")]
    [InlineData("\u007f, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingControlCharacter, null, "U+007F")]
    [InlineData("\u00a0, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingUnicodeSpace, null, "0xA0")]
    [InlineData("\u0085, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingControlCharacter, null, "0x85")]
    [InlineData("\u00c2\u00a0, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingUnicodeSpace, null, "U+00A0")]
    [InlineData("\u00c2\u0085, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingControlCharacter, null, "U+0085")]
    [InlineData("\u00e2\u0080\u00a8, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingUnicodeSpace, null, "U+2028")]
    [InlineData("\u00e2\u0080\u00a9, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingUnicodeSpace, null, "U+2029")]
    [InlineData("\u00e3\u0080\u0080, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingUnicodeSpace, null, "U+3000")]
    [InlineData("\u00ef\u00bb\u00bf, Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingUnicodeSpace, null, "U+FEFF")]
    [InlineData("\vFrom: Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingControlCharacter, "From", "U+000B")]
    [InlineData("\u00a0From: Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingUnicodeSpace, "From", "0xA0")]
    [InlineData("\u00e2\u0080\u00a8From: Evil <evil@attacker.example>", HeaderAmbiguityReason.LeadingUnicodeSpace, "From", "U+2028")]
    [InlineData("Evil <evil@attacker.example>", HeaderAmbiguityReason.LineWithoutColon, null, null)]
    [InlineData("From\v: Evil <evil@attacker.example>", HeaderAmbiguityReason.InvalidFieldName, "From", "U+000B")]
    [InlineData("Fr om: Evil <evil@attacker.example>", HeaderAmbiguityReason.InvalidFieldName, "Fr om", "U+0020")]
    [InlineData("Fr\u00f6m: Evil <evil@attacker.example>", HeaderAmbiguityReason.InvalidFieldName, "Fr\u00f6m", "0xF6")]
    [InlineData(": Evil <evil@attacker.example>", HeaderAmbiguityReason.InvalidFieldName, null, null)]
    public void Parse_LineAfterFrom_IsAmbiguousAndTouchesFrom(string line, HeaderAmbiguityReason reason, string? readAs, string? character)
    {
        var message = Parse(Top + line + "\r\n" + Rest);
        var a = Assert.Single(message.Ambiguities);
        Assert.Equal((reason, 2, "From", readAs, character), (a.Reason, a.Line, a.Follows, a.ReadAs, a.Character));
        Assert.Equal(Top.Length, a.Offset);
        Assert.True(a.Touches("from"));
        Assert.Same(a, message.AmbiguityTouching(["Subject", "From"]));
        Assert.Null(message.AmbiguityTouching(["Subject", "To"]));
        Assert.Contains(reason.Code(), a.Describe(), StringComparison.Ordinal);
        // Nothing is lost: the line is still a field of the message, byte for byte.
        Assert.Equal(3, message.Headers.Count);
    }

    [Theory]
    [InlineData("From: Mosa <tickets@example.com>\r\nSubject: s\r\n")]
    [InlineData("From : Mosa <tickets@example.com>\r\nSubject: s\r\n")] // obs-syntax WSP before the colon (RFC 5322 §4.5)
    [InlineData("FROM:Mosa <tickets@example.com>\r\nSubject:\r\n")]
    [InlineData("From: Mosa\r\n <tickets@example.com>\r\nSubject: s\r\n\tfolded with a tab\r\n")]
    [InlineData("From: Mosa \u00e9\u00e8 <tickets@example.com>\r\nX-8bit: caf\u00c3\u00a9\r\n")] // 8-bit values are the value's business
    [InlineData("From: Mosa <tickets@example.com>\nSubject: bare LF file\n")]
    [InlineData("X-Odd-But-Valid!#$%&'*+-/=?^_`{|}~: v\r\n")]
    public void Parse_ValidFields_AreNotAmbiguous(string headers)
    {
        var message = Parse(headers + "\r\nbody\r\n");
        Assert.Empty(message.Ambiguities);
    }

    [Fact]
    public void Parse_FirstLineBeginsWithWhitespace_IsLeadingWhitespaceReadAsFrom()
    {
        var message = Parse(" From: Evil <evil@attacker.example>\r\n" + Top + Rest);
        var a = Assert.Single(message.Ambiguities);
        Assert.Equal((HeaderAmbiguityReason.LeadingWhitespace, 1, null, "From"), (a.Reason, a.Line, a.Follows, a.ReadAs));
    }

    [Fact]
    public void Parse_BareCrInsideFrom_TouchesFromAndWhatFollowsTheCr()
    {
        var message = Parse("Subject: s\r\nFrom: Mosa <tickets@example.com>\rTo: evil@attacker.example\r\n\r\nbody\r\n");
        var a = Assert.Single(message.Ambiguities);
        Assert.Equal((HeaderAmbiguityReason.BareCarriageReturn, 2, "From", "To"), (a.Reason, a.Line, a.Follows, a.ReadAs));
        Assert.Equal("Subject: s\r\nFrom: Mosa <tickets@example.com>".Length, a.Offset);
    }

    [Fact]
    public void Parse_SeveralBareCrsInOneField_EachIsAnAmbiguityReadAsWhatFollowsIt()
    {
        // Issue 19 review: only the first CR was reported, so the From behind the second one touched nothing.
        var message = Parse("X-Junk: a\rY: b\rFrom: Evil <evil@attacker.example>\r\n" + Top + Rest);
        Assert.Equal(
            [(HeaderAmbiguityReason.BareCarriageReturn, "X-Junk", "Y"), (HeaderAmbiguityReason.BareCarriageReturn, "X-Junk", "From")],
            message.Ambiguities.Select(a => (a.Reason, a.Follows, a.ReadAs)));
        Assert.Equal("X-Junk: a\rY: b".Length, message.AmbiguityTouching(["From"])!.Offset);
    }

    [Fact]
    public void Parse_BareCrInsideAName_TouchesTheNameAfterIt()
    {
        // "X-Junk\rFrom:" has no colon before the CR; a reader that ends the line at the CR sees a From field.
        var message = Parse(Top + "X-Junk\rFrom: Evil <evil@attacker.example>\r\n" + Rest);
        Assert.Equal(
            [(HeaderAmbiguityReason.LineWithoutColon, "From"), (HeaderAmbiguityReason.BareCarriageReturn, "From")],
            message.Ambiguities.Select(a => (a.Reason, a.ReadAs)));
        Assert.NotNull(message.AmbiguityTouching(["From"]));
    }

    [Fact]
    public void Parse_LineAfterUnsignedField_TouchesOnlyThatField()
    {
        var message = Parse(Top + "X-Tracking: 1\r\n\vjunk\r\n" + Rest);
        var a = Assert.Single(message.Ambiguities);
        Assert.Equal("X-Tracking", a.Follows);
        Assert.Null(message.AmbiguityTouching(["From", "Subject"]));
        Assert.NotNull(message.AmbiguityTouching(["x-tracking"]));
    }

    [Fact]
    public void Parse_SeveralBadLines_AllRecordedInOrderAttributedToTheLastGoodField()
    {
        var message = Parse(Top + "\vone\r\n\ftwo\r\nSubject: s\r\nno colon\r\n\r\nbody\r\n");
        Assert.Equal([2, 3, 5], message.Ambiguities.Select(a => a.Line));
        Assert.Equal(["From", "From", "Subject"], message.Ambiguities.Select(a => a.Follows));
    }

    [Fact]
    public void Codes_AreKebabCaseAndDistinct()
    {
        var codes = Enum.GetValues<HeaderAmbiguityReason>().Select(r => r.Code()).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[a-z]+(-[a-z]+)*$", c));
    }

    [Fact]
    public void Json_WritesTheReasonCode()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new { reason = HeaderAmbiguityReason.LeadingUnicodeSpace }, SenderAuth.Json.SenderAuthJson.Options);
        Assert.Equal("""{"reason":"leading-unicode-space"}""", json);
    }
}
