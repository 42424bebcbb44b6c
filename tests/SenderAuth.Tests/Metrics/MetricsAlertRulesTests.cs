using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Tests.Server;
using YamlDotNet.RepresentationModel;

namespace SenderAuth.Tests.Metrics;

/// <summary>
/// The alert rules in the repo (deploy/prometheus/alerts.yml) as Prometheus' own tool reads them: valid rules, and
/// the unit tests beside them (alerts.test.yml) firing what they should on series shaped as /metrics exports them.
/// </summary>
[Trait("Layer", "interop")]
[Trait("Needs", "prometheus")]
public sealed partial class MetricsAlertRulesTests
{
    /// <summary>
    /// Every senderauth_* series an alert names is one the server defines, spelled as the Prometheus exporter spells
    /// it (dots to underscores, _total on counters): a renamed instrument would otherwise silence its alert for ever.
    /// </summary>
    [Fact]
    public async Task AlertRules_NameOnlySeriesTheServerExports()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var exported = new HashSet<string>(StringComparer.Ordinal);
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "SenderAuth.Server" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    var name = instrument.Name.Replace('.', '_');
                    lock (exported)
                    {
                        exported.Add(instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal) ? name + "_total" : name);
                    }
                }
            };
            listener.Start();
        }
        var named = SeriesName().Matches(await File.ReadAllTextAsync(PrometheusTool.Rules, TestContext.Current.CancellationToken))
            .Select(m => m.Value).Distinct().ToList();
        Assert.True(named.Count >= 10, $"only {named.Count} series named in alerts.yml");
        Assert.All(named, n => Assert.True(exported.Contains(n), $"alerts.yml names {n}, which the server does not export; it exports: {string.Join(", ", exported.Order())}"));
    }

    [GeneratedRegex(@"\bsenderauth_[a-z_]+")]
    private static partial Regex SeriesName();

    /// <summary>
    /// alerts.test.yml covers every rule of alerts.yml: for each alert, one case that expects it to fire and one that
    /// expects it silent (before its window fills, or on series beside the firing ones that must not count), so a rule
    /// added without a test, or a test that expects nothing, fails here; promtool then checks each case.
    /// </summary>
    [Fact]
    public async Task AlertsTestYml_EveryRule_HasAFiringAndASilentCase()
    {
        var ct = TestContext.Current.CancellationToken;
        var rulesYaml = LoadYaml(await File.ReadAllTextAsync(PrometheusTool.Rules, ct));
        var rules = ((YamlSequenceNode)((YamlMappingNode)rulesYaml)["groups"]).Children
            .SelectMany(g => ((YamlSequenceNode)((YamlMappingNode)g)["rules"]).Children)
            .Select(r => ((YamlMappingNode)r).Children.TryGetValue(new YamlScalarNode("alert"), out var a) ? ((YamlScalarNode)a).Value! : null)
            .OfType<string>().ToList();
        Assert.True(rules.Count >= 14, $"only {rules.Count} alert rules read from alerts.yml");

        var testsYaml = LoadYaml(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(PrometheusTool.Rules)!, "alerts.test.yml"), ct));
        var cases = ((YamlSequenceNode)((YamlMappingNode)testsYaml)["tests"]).Children
            .SelectMany(t => ((YamlSequenceNode)((YamlMappingNode)t)["alert_rule_test"]).Children)
            .Cast<YamlMappingNode>()
            .Select(c => (Alert: ((YamlScalarNode)c["alertname"]).Value!, Fires: ((YamlSequenceNode)c["exp_alerts"]).Children.Count > 0))
            .ToList();
        Assert.All(cases, c => Assert.Contains(c.Alert, rules));
        Assert.All(rules, rule =>
        {
            Assert.True(cases.Any(c => c.Alert == rule && c.Fires), $"alerts.test.yml has no case in which {rule} fires");
            Assert.True(cases.Any(c => c.Alert == rule && !c.Fires), $"alerts.test.yml has no case in which {rule} stays silent");
        });
    }

    private static YamlNode LoadYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents[0].RootNode;
    }

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
