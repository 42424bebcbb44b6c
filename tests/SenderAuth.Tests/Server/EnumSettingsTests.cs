using Microsoft.Extensions.Configuration;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Reports;

namespace SenderAuth.Tests.Server;

/// <summary>
/// Modes bound from configuration as enums: by name in any case, an unknown word named with the words accepted
/// before binding, also inside a list of sections (the IMAP mailboxes) and for the log format.
/// </summary>
[Trait("Layer", "server")]
public sealed class EnumSettingsTests
{
    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Check_UnknownWordsInAListAndTheLogFormat_AreNamedWithTheWordsAccepted()
    {
        var enums = ServerEnumSettings.Check(Configuration(new()
        {
            ["SenderAuth:Reports:Imap:0:Host"] = "imap.example.org",
            ["SenderAuth:Reports:Imap:0:Security"] = "STARTTLS",
            ["SenderAuth:Reports:Imap:1:Host"] = "imap.example.net",
            ["SenderAuth:Reports:Imap:1:Security"] = "ssl",
            ["Logging:Format"] = "xml",
        }));
        Assert.Equal(
        [
            "Logging:Format is \"xml\": use text, json",
            "SenderAuth:Reports:Imap:1:Security is \"ssl\": use tls, start-tls, none",
        ], enums.Problems.Order(StringComparer.Ordinal));
        Assert.Equal(["Logging:Format", "SenderAuth:Reports:Imap:1:Security"], enums.Paths.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("tls", ImapSecurity.Tls)]
    [InlineData("starttls", ImapSecurity.StartTls)]
    [InlineData("StartTls", ImapSecurity.StartTls)]
    [InlineData("none", ImapSecurity.None)]
    [InlineData(null, ImapSecurity.Tls)]
    public void Bind_ImapSecurity_KeepsTheDocumentedSpellings(string? word, ImapSecurity expected)
    {
        var configuration = Configuration(new() { ["SenderAuth:Reports:Imap:0:Host"] = "imap.example.org", ["SenderAuth:Reports:Imap:0:Security"] = word });
        Assert.Empty(ServerEnumSettings.Check(configuration).Problems);
        var options = configuration.GetSection(ServerOptions.Section).Get<ServerOptions>()!;
        Assert.Equal(expected, Assert.Single(options.Reports.Imap).Security);
    }

    [Theory]
    [InlineData("json", LogFormat.Json)]
    [InlineData("JSON", LogFormat.Json)]
    [InlineData("text", LogFormat.Text)]
    [InlineData(null, LogFormat.Text)]
    public void LogFormat_IsReadInAnyCase(string? word, LogFormat expected)
    {
        var configuration = Configuration(new() { [LogFormats.Key] = word });
        Assert.Empty(ServerEnumSettings.Check(configuration).Problems);
        Assert.Equal(expected, LogFormats.From(configuration));
    }
}
