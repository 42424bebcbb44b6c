namespace SenderAuth.Tests.Metrics;

/// <summary>
/// The alert rules in the repo (deploy/prometheus/alerts.yml) as Prometheus' own tool reads them: valid rules, and
/// the unit tests beside them (alerts.test.yml) firing what they should on series shaped as /metrics exports them.
/// </summary>
[Trait("Layer", "interop")]
public sealed class MetricsAlertRulesTests
{
    [Fact]
    public async Task PromtoolCheckRules_AlertsYml_Succeeds()
    {
        PrometheusTool.RequireInstalled();
        var (code, output) = await PrometheusTool.RunAsync("promtool", Path.GetDirectoryName(PrometheusTool.Rules)!, TestContext.Current.CancellationToken, "check", "rules", "alerts.yml");
        Assert.True(code == 0, $"promtool check rules exited {code}:\n{output}");
        Assert.Matches(@"SUCCESS: \d+ rules found", output);
    }

    [Fact]
    public async Task PromtoolTestRules_AlertsTestYml_EveryCasePasses()
    {
        PrometheusTool.RequireInstalled();
        var (code, output) = await PrometheusTool.RunAsync("promtool", Path.GetDirectoryName(PrometheusTool.Rules)!, TestContext.Current.CancellationToken, "test", "rules", "alerts.test.yml");
        Assert.True(code == 0, $"promtool test rules exited {code}:\n{output}");
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }
}
