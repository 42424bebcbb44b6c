using SenderAuth.Dmarc;

namespace SenderAuth.Tests.Dmarc;

[Trait("Layer", "engine")]
public class DmarcRecordTests
{
    [Fact]
    public void Parse_FullRecord_ReadsEveryTag()
    {
        var r = DmarcRecord.Parse("v=DMARC1; p=quarantine; sp=reject; np=reject; psd=n; t=y; adkim=s; aspf=r; rua=mailto:a@example.com,mailto:b@rua.example.net; ruf=mailto:f@example.com; fo=1:d")!;
        Assert.Equal((DmarcPolicy.Quarantine, DmarcPolicy.Reject, DmarcPolicy.Reject), (r.Policy, r.SubdomainPolicy!.Value, r.NonExistentPolicy!.Value));
        Assert.Equal(false, r.PublicSuffixDomain);
        Assert.True(r.Testing);
        Assert.Equal((DmarcAlignmentMode.Strict, DmarcAlignmentMode.Relaxed), (r.DkimAlignment, r.SpfAlignment));
        Assert.Equal(2, r.AggregateReportUris.Count);
        Assert.Single(r.FailureReportUris);
        Assert.Equal("1:d", r.FailureOptions);
        Assert.Empty(r.Issues);
    }

    [Theory]
    [InlineData("v=DMARC1; p=none", true)]
    [InlineData("v = DMARC1 ; p=none", true)]
    [InlineData("p=none; v=DMARC1", false)]
    [InlineData("v=DMARC2; p=none", false)]
    [InlineData("v=spf1 -all", false)]
    public void IsDmarcRecord_VersionFirst(string text, bool expected) => Assert.Equal(expected, DmarcRecord.IsDmarcRecord(text));

    [Theory]
    [InlineData("v=DMARC1; p=block", "invalid-policy", 11)]
    [InlineData("v=DMARC1; p=none; adkim=x", "invalid-alignment", 19)]
    [InlineData("v=DMARC1; p=none; rua=https://example.com/r", "invalid-uri", 19)]
    [InlineData("v=DMARC1; p=none; rua=mailto:", "invalid-uri", 19)]
    [InlineData("v=DMARC1; p=none; foo=bar", "unknown-tag", 19)]
    [InlineData("v=DMARC1; p=none; pct=50", "obsolete-tag", 19)]
    [InlineData("v=DMARC1; p=none; ri=86400", "obsolete-tag", 19)]
    [InlineData("v=DMARC1; p=none; pct=500", "invalid-pct", 19)]
    [InlineData("v=DMARC1; p=none; p=reject", "duplicate-tag", 19)]
    [InlineData("v=DMARC1; p=none; psd=maybe", "invalid-psd", 19)]
    [InlineData("v=DMARC1; p=none; fo=2", "invalid-fo", 19)]
    [InlineData("v=DMARC1; p=none; junk", "malformed-tag", 19)]
    [InlineData("v=DMARC1; rua=mailto:a@example.com", "policy-missing", null)]
    public void Parse_Problems_AreIssuesWithPositions(string text, string code, int? position)
    {
        var r = DmarcRecord.Parse(text)!;
        var issue = Assert.Single(r.Issues, i => i.Code == code);
        Assert.Equal(position, issue.Position);
    }

    [Fact]
    public void Parse_PolicyMissingWithRua_AppliesNone()
    {
        var r = DmarcRecord.Parse("v=DMARC1; rua=mailto:a@example.com")!;
        Assert.True(r.PolicyMissing);
        Assert.Equal(DmarcPolicy.None, r.Policy);
    }

    [Theory]
    [InlineData("v=DMARC1; p=reject; pct=0", true)]
    [InlineData("v=DMARC1; p=reject; pct=100", false)]
    [InlineData("v=DMARC1; p=reject; t=n", false)]
    public void Parse_PctBelow100_ReadsAsTesting(string text, bool testing) => Assert.Equal(testing, DmarcRecord.Parse(text)!.Testing);
}
