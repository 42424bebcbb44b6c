using SenderAuth.Check;

namespace SenderAuth.Tests.Check;

[Trait("Layer", "engine")]
public class ProviderProfileTests
{
    private static string Write(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sa-profile-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private const string Valid = """
        { "dkimZone": "dkim.t.example", "spfInclude": "spf.t.example", "sendingIps": ["203.0.113.0/24"],
          "selectors": [ { "name": "s1", "target": "a-{code}" } ], "reportAddress": "mailto:{code}@rua.t.example" }
        """;

    [Fact]
    public void Load_TheIssueExample_ReadsEveryField()
    {
        var p = CheckFixtures.LoadProfile(CheckFixtures.Profile);
        Assert.Equal("dkim.ticketing.example", p.DkimZone);
        Assert.Equal("spf.ticketing.example", p.SpfInclude);
        Assert.Equal(["203.0.113.0/24", "2001:db8:25::/48"], p.SendingIps);
        Assert.Equal([new ProviderSelector("stxsel1", "sel1-{code}"), new ProviderSelector("stxsel2", "sel2-{code}")], p.Selectors);
        Assert.Null(p.MailFromDomain);
        Assert.Equal("sel1-mosa._domainkey.dkim.ticketing.example", p.SelectorTarget(p.Selectors[0], "mosa", "mosamuseum.com"));
        Assert.Equal("mailto:mosa@rua.ticketing.example", p.Expand(p.ReportAddress!, "mosa", "mosamuseum.com"));
        Assert.Equal("bounce.mosamuseum.com", p.Expand(CheckFixtures.LoadProfile(CheckFixtures.MailFromProfile).MailFromDomain!, "mosa", "mosamuseum.com"));
    }

    [Theory]
    [InlineData("{ \"dkimZone\": ", "")]
    [InlineData("{ \"dkimZone\": \"d.example\", \"spfInclude\": \"s.example\", \"selectors\": [ {\"name\": \"a\", \"target\": \"b\"} ], \"colour\": \"red\" }", "colour")]
    [InlineData("{ \"spfInclude\": \"s.example\", \"selectors\": [ {\"name\": \"a\", \"target\": \"b\"} ] }", "DkimZone")]
    [InlineData("{ \"dkimZone\": null, \"spfInclude\": \"s.example\", \"selectors\": [ {\"name\": \"a\", \"target\": \"b\"} ] }", "dkimZone")]
    [InlineData("{ \"dkimZone\": \"d.example\", \"spfInclude\": \"s.example\", \"selectors\": null }", "selectors")]
    [InlineData("{ \"dkimZone\": \"d.example\", \"spfInclude\": \"s.example\", \"selectors\": [ {\"name\": \"a\"} ] }", "selectors")]
    [InlineData("{ \"dkimZone\": \"d.example\", \"spfInclude\": \"s.example\", \"sendingIps\": [\"203.0.113.0/33\"], \"selectors\": [ {\"name\": \"a\", \"target\": \"b\"} ] }", "203.0.113.0/33")]
    [InlineData("{ \"dkimZone\": \"d.example\", \"spfInclude\": \"s.example\", \"sendingIps\": [\"not-an-ip\"], \"selectors\": [ {\"name\": \"a\", \"target\": \"b\"} ] }", "not-an-ip")]
    [InlineData("{ \"dkimZone\": \"d.example\", \"spfInclude\": \"s.example\", \"selectors\": [] }", "selectors")]
    [InlineData("{ \"dkimZone\": \"a..b\", \"spfInclude\": \"s.example\", \"selectors\": [ {\"name\": \"a\", \"target\": \"b\"} ] }", "dkimZone")]
    [InlineData("{ \"dkimZone\": \"d.example\", \"spfInclude\": \"s.example\", \"selectors\": [ {\"name\": \"a\", \"target\": \"b\"} ], \"reportAddress\": \"https://r.example\" }", "reportAddress")]
    [InlineData("null", "empty")]
    public void Load_Invalid_FormatExceptionNamingTheProblem(string json, string mentions)
    {
        var path = Write(json);
        try
        {
            var e = Assert.Throws<FormatException>(() => ProviderProfile.Load(path));
            Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
            Assert.Contains(mentions, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_Valid_Passes()
    {
        var path = Write(Valid);
        try
        {
            Assert.Equal("a-{code}", ProviderProfile.Load(path).Selectors[0].Target);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_WithoutOptionalFields_MeansNoSendingIpsNoReportsNoMailFrom()
    {
        // Regression: the source-generated reader left an absent "sendingIps" null, and the check crashed (exit 70).
        var path = Write("{ \"dkimZone\": \"d.example\", \"spfInclude\": \"s.example\", \"selectors\": [ {\"name\": \"a\", \"target\": \"b\"} ] }");
        try
        {
            var p = ProviderProfile.Load(path);
            Assert.Empty(p.SendingIps);
            Assert.Null(p.ReportAddress);
            Assert.Null(p.MailFromDomain);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
