namespace SenderAuth.Tests.Cli;

/// <summary>
/// `report --db` binds the store's settings alone, from the same environment as `serve`: it reads enum settings in
/// the same words (the JSON token or the member name) and refuses an unknown one as bad usage, naming it.
/// </summary>
[Trait("Layer", "cli")]
[Trait("Needs", "senderauth")]
public sealed class ConfigurationWordsCliTests
{
    private static string Corpus(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "reports", "corpus", name);

    [Fact]
    public async Task ReportDb_TokenInTheEnvironment_Binds_UnknownWord_Exit2WithTheTokens()
    {
        var data = Directory.CreateTempSubdirectory("senderauth-words-");
        try
        {
            var token = new Dictionary<string, string>
            {
                ["SenderAuth__Reports__Imap__0__Host"] = "imap.example.org", ["SenderAuth__Reports__Imap__0__Security"] = "start-tls",
                ["SenderAuth__Reports__Imap__0__User"] = "reports", ["SenderAuth__Reports__Imap__0__Password"] = "unused",
            };
            var (exit, _, stderr) = await CliRunner.RunAsync(null, token, "report", "--db", "--data", data.FullName, Corpus("google-zip-in-mail.eml"));
            Assert.True(exit == 0, $"exit {exit}: {stderr}");

            var (bad, _, badErr) = await CliRunner.RunAsync(null, "report", "--db", "--data", data.FullName, "--database", "mysql", Corpus("google-zip-in-mail.eml"));
            Assert.True(bad == 2, $"exit {bad}: {badErr}");
            Assert.Contains("SenderAuth:Database is \"mysql\": use sqlite, postgres", badErr, StringComparison.Ordinal);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }
}
