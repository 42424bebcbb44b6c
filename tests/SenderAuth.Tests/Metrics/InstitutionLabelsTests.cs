using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Store.Data;
using SenderAuth.Store.Domains;
using SenderAuth.Store.Hosting;
using SenderAuth.Server.Metrics;
using SenderAuth.Tests.Server;

namespace SenderAuth.Tests.Metrics;

/// <summary>
/// What keeps /metrics bounded and cheap: the institution label's cap, and the gauges read by a background sample
/// (never inside a scrape) that go absent, not stale, when the database fails.
/// </summary>
[Trait("Layer", "server")]
public sealed class InstitutionLabelsTests
{
    [Fact]
    public void Label_FirstMaxCodesKeepTheirValue_LaterOnesAreOther_UnknownIsNone()
    {
        var labels = new InstitutionLabels(2);
        Assert.Equal("mosa", labels.Label("mosa"));
        Assert.Equal("rival", labels.Label("rival"));
        Assert.Equal("_other", labels.Label("third"));
        Assert.Equal("_other", labels.Label("fourth"));
        // The first ones keep their own value for the process' life.
        Assert.Equal("mosa", labels.Label("mosa"));
        Assert.Equal("_none", labels.Label(null));
        Assert.Equal("_none", labels.Label(""));
        Assert.Equal("_other", new InstitutionLabels(0).Label("mosa"));
    }

    /// <summary>
    /// Institutions may be called "other" or "none": each keeps its own series, apart from the catch-alls, which no
    /// institution code can spell (a code starts with a lower-case letter).
    /// </summary>
    [Fact]
    public void Label_InstitutionsNamedOtherAndNone_NeverMeetTheCatchAlls()
    {
        var labels = new InstitutionLabels(2);
        Assert.Equal("other", labels.Label("other"));
        Assert.Equal("none", labels.Label("none"));
        Assert.Equal(InstitutionLabels.Other, labels.Label("third"));
        Assert.Equal(InstitutionLabels.None, labels.Label(null));
        Assert.NotEqual("other", InstitutionLabels.Other);
        Assert.NotEqual("none", InstitutionLabels.None);
        Assert.True(NameRules.TryCode("other", out _, out _));
        Assert.True(NameRules.TryCode("none", out _, out _));
        Assert.False(NameRules.TryCode(InstitutionLabels.Other, out _, out _), "the catch-all _other is a valid institution code");
        Assert.False(NameRules.TryCode(InstitutionLabels.None, out _, out _), "the catch-all _none is a valid institution code");
    }

    [Fact]
    public void Label_ManyThreadsManyCodes_AtMostMaxValues()
    {
        var labels = new InstitutionLabels(50);
        var values = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>();
        Parallel.For(0, 10_000, i => values.TryAdd(labels.Label($"code{i % 500}"), 0));
        // 50 codes, "_other", and at most one extra per thread racing on a new code at the moment the cap is reached.
        Assert.InRange(values.Count, 51, 51 + Environment.ProcessorCount);
        Assert.Contains("_other", values.Keys);
    }

    [Fact]
    public async Task Sampler_ReadsDomainsAndQueues_ThenNothingWhenTheDatabaseFails()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ServerHost.StartAsync("sqlite", new Dictionary<string, string?> { ["SenderAuth:Metrics:SampleSeconds"] = "3600" });
        using var client = host.Client();
        await client.CreateInstitution("mosa");
        await client.CreateDomain("mosa", "mosa.example");
        await client.CreateDomain("mosa", "tickets.mosa.example");
        var sampler = host.Services.GetRequiredService<BacklogSampler>();
        Assert.True(await sampler.SampleOnceAsync(ct));

        var gauges = Read(host);
        Assert.Equal(2, gauges["senderauth.domains|state=pending"]);
        Assert.Equal(0, gauges["senderauth.domains|state=verified"]);
        Assert.Equal(0, gauges["senderauth.webhook.queue"]);
        Assert.Equal(0, gauges["senderauth.rotations.blocked"]);
        Assert.Equal(0, gauges["senderauth.report.quarantine"]);

        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            await db.Database.ExecuteSqlRawAsync("DROP TABLE \"WebhookDeliveries\"", ct);
        }
        Assert.False(await sampler.SampleOnceAsync(ct));
        // Absent, not the last value: an alert on a stale queue depth would be wrong either way.
        Assert.Empty(Read(host));
    }

    /// <summary>The sampled gauges of this host's meter (its IMeterFactory scopes the meter: other tests' servers run too).</summary>
    private static Dictionary<string, long> Read(ServerHost host)
    {
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "SenderAuth.Server" && ReferenceEquals(instrument.Meter.Scope, factory) && instrument is ObservableGauge<long>)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            values[instrument.Name + string.Concat(tags.ToArray().Select(t => $"|{t.Key}={t.Value}"))] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
