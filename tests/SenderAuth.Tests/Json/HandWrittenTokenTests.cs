using System.Text.Json;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Json;
using SenderAuth.Store.Data;
using SenderAuth.Store.Hosting;
using SenderAuth.Store.Reports;

namespace SenderAuth.Tests.Json;

/// <summary>
/// Words that were written by hand (<c>ToString().ToLowerInvariant()</c>, or a switch beside the contract) now come
/// from <see cref="SenderAuthJson.Token{T}"/>: audit and webhook event names (<c>rotation.publishing</c>), metric labels,
/// the canary's message, the CLI's severity column, import statuses in folder names and the backup's database word.
/// Each list is the words the old code wrote, so a rename of an enum member cannot change them unnoticed.
/// </summary>
[Trait("Layer", "engine")]
public sealed class HandWrittenTokenTests
{
    [Fact]
    public void RotationStep_Tokens_AreTheEventAndMetricWords() =>
        Assert.Equal(["idle", "generated", "publishing", "retaining", "blocked"], Enum.GetValues<RotationStep>().Select(SenderAuthJson.Token));

    [Fact]
    public void DomainState_Tokens_AreTheGaugeLabels() =>
        Assert.Equal(["pending", "verified", "degraded", "failed"], Enum.GetValues<DomainState>().Select(SenderAuthJson.Token));

    [Fact]
    public void DkimResult_Tokens_AreTheCanaryWords() =>
        Assert.Equal(["none", "pass", "fail", "neutral", "policy", "temperror", "permerror"], Enum.GetValues<DkimResult>().Select(SenderAuthJson.Token));

    [Fact]
    public void FindingSeverity_Tokens_AreTheLintColumn() =>
        Assert.Equal(["info", "warning", "error"], Enum.GetValues<FindingSeverity>().Select(SenderAuthJson.Token));

    [Fact]
    public void ImportStatuses_Tokens_AreTheFolderAndMetricWords()
    {
        Assert.Equal(["imported", "quarantined", "rejected"], Enum.GetValues<FileImportStatus>().Select(SenderAuthJson.Token));
        Assert.Equal(["imported", "duplicate", "foreign", "misrouted"], Enum.GetValues<ReportImportStatus>().Select(SenderAuthJson.Token));
        Assert.Equal(["aggregate", "failure"], Enum.GetValues<ReportKind>().Select(SenderAuthJson.Token));
    }

    [Fact]
    public void DatabaseKind_Tokens_AreTheConfigurationAndManifestWords()
    {
        Assert.Equal(["sqlite", "postgres"], Enum.GetValues<DatabaseKind>().Select(SenderAuthJson.Token));
        Assert.True(SenderAuthJson.TryParse<DatabaseKind>("postgres", out var kind));
        Assert.Equal(DatabaseKind.Postgres, kind);
    }

    [Fact]
    public void DnssecStatus_EngineMap_IsTheContract()
    {
        // The engine keeps its own switch (it is AOT-compatible; SenderAuthJson.Token reflects); the contract uses it.
        Assert.Equal(["secure", "insecure", "bogus", "indeterminate"], Enum.GetValues<DnssecStatus>().Select(s => s.Token()));
        Assert.All(Enum.GetValues<DnssecStatus>(), s => Assert.Equal(s.Token(), SenderAuthJson.Token(s)));
        Assert.Equal("\"indeterminate\"", JsonSerializer.Serialize(DnssecStatus.Indeterminate, SenderAuthJson.Options));
    }

    [Fact]
    public void AlignmentModes_StayTwoTypes_WithTheirOwnWords()
    {
        // A parsed record says relaxed/strict; an aggregate report the XML's r/s. One type could write only one of them.
        Assert.Equal(["relaxed", "strict"], Enum.GetValues<SenderAuth.Dmarc.DmarcAlignmentMode>().Select(SenderAuthJson.Token));
        Assert.Equal("r", SenderAuthJson.Token(SenderAuth.Reports.DmarcAlignmentMode.Relaxed));
        Assert.Equal("s", SenderAuthJson.Token(SenderAuth.Reports.DmarcAlignmentMode.Strict));
    }
}
