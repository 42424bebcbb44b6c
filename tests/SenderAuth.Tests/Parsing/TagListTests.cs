using SenderAuth.Dkim;
using SenderAuth.Parsing;

namespace SenderAuth.Tests.Parsing;

[Trait("Layer", "engine")]
public class TagListTests
{
    [Theory]
    [InlineData("v=1; a", "column 5: tag \"a\" has no '='")]
    [InlineData("v=1;1x=2", "column 5: invalid tag name \"1x\"")]
    [InlineData("v=1; v=2", "column 5: tag \"v\" appears twice (RFC 6376 §3.2)")]
    public void DkimTags_FirstError_RejectsWithItsColumn(string text, string expected)
    {
        Assert.Null(DkimTags.Parse(text, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Parse_DmarcRules_LowerCasesNamesAndKeepsTheFirstDuplicate()
    {
        var tags = TagList.Parse("v=DMARC1;  P=reject; p=none; junk", TagListRules.Dmarc);
        Assert.Equal("reject", tags["p"]);
        Assert.True(tags.TryGet("p", out var p));
        Assert.Equal((12, 10), (p.Column, p.SpecColumn));
        Assert.Equal(
            [new(TagListErrorKind.Duplicate, "p", 22, 21), new(TagListErrorKind.MissingEquals, "junk", 30, 29)],
            tags.Errors);
    }

    [Fact]
    public void Parse_WhiteSpaceRules_DkimTrimsFoldingOnlyDmarcAnyWhiteSpace()
    {
        Assert.Equal("y\u00A0", TagList.Parse("t=y\u00A0", TagListRules.Dkim)["t"]);
        Assert.Equal("y", TagList.Parse("t=y\u00A0", TagListRules.Dmarc)["t"]);
        Assert.Equal("a b", TagList.Parse("t= a b\r\n\t", TagListRules.Dkim)["t"]);
    }

    [Fact]
    public void StripWhitespace_RemovesFoldingWhiteSpaceInside() =>
        Assert.Equal("abcd", TagList.StripWhitespace("ab\r\n\t c d"));
}
