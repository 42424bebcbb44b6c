using Microsoft.Extensions.Configuration;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Hosting;
using SenderAuth.Store.Data;
using SenderAuth.Store.Reports;

namespace SenderAuth.Tests.Server;

/// <summary>
/// Configuration takes the JSON contract's token for an enum setting (what the API writes) and still the older
/// member name in any case; an unknown word names the setting and lists the tokens.
/// </summary>
[Trait("Layer", "server")]
public sealed class EnumWordsTests
{
    private const string Policy = "SenderAuth:Milter:UnknownDomainPolicy";

    /// <summary>Configuration as ServerApp builds it: the raw values, then EnumSettings' overrides, then binding.</summary>
    private static (EnumSettings Enums, ServerOptions Options) Bind(Dictionary<string, string?> values)
    {
        var raw = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var enums = ServerEnumSettings.Check(raw);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).AddInMemoryCollection(enums.Overrides).Build();
        return (enums, configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions());
    }

    [Theory]
    [InlineData("pass-unsigned", UnsignedMailPolicy.PassUnsigned)]
    [InlineData("passunsigned", UnsignedMailPolicy.PassUnsigned)]
    [InlineData("PassUnsigned", UnsignedMailPolicy.PassUnsigned)]
    [InlineData("sign-with-provider-domain", UnsignedMailPolicy.SignWithProviderDomain)]
    [InlineData("signwithproviderdomain", UnsignedMailPolicy.SignWithProviderDomain)]
    [InlineData("reject", UnsignedMailPolicy.Reject)]
    public void UnknownDomainPolicy_TokenAndOldWord_BothBind(string word, UnsignedMailPolicy expected)
    {
        var (enums, options) = Bind(new() { [Policy] = word });
        Assert.Empty(enums.Problems);
        Assert.Equal(expected, options.Milter.UnknownDomainPolicy);
    }

    [Theory]
    [InlineData("start-tls")]
    [InlineData("starttls")]
    public void ImapSecurity_TokenAndOldWord_BothBindInAList(string word)
    {
        var (enums, options) = Bind(new() { ["SenderAuth:Reports:Imap:0:Host"] = "imap.example.org", ["SenderAuth:Reports:Imap:0:Security"] = word });
        Assert.Empty(enums.Problems);
        Assert.Equal(ImapSecurity.StartTls, Assert.Single(options.Reports.Imap).Security);
    }

    [Fact]
    public void UnknownWord_NamesTheSettingAndListsTheTokens()
    {
        var (enums, _) = Bind(new() { [Policy] = "pass_unsigned" });
        Assert.Equal($"{Policy} is \"pass_unsigned\": use {string.Join(", ", EnumWords.Tokens(typeof(UnsignedMailPolicy)))}", Assert.Single(enums.Problems));
        Assert.Contains("pass-unsigned", enums.Problems[0], StringComparison.Ordinal);
        Assert.Equal([Policy], enums.Paths);
    }

    [Fact]
    public void Tokens_AreTheJsonContractsWords()
    {
        Assert.Equal(
            EnumWords.Tokens(typeof(UnsignedMailPolicy)),
            Enum.GetValues<UnsignedMailPolicy>().Select(v => SenderAuth.Json.SenderAuthJson.Token(v)));
        Assert.Equal(["builtin", "rfc2136", "zonefile"], EnumWords.Tokens(typeof(SenderAuth.Server.Publishing.PublishingMode)));
    }
}
