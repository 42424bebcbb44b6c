using SenderAuth.Server.Domains;
using SenderAuth.Server.Http;
using SenderAuth.Server.Reports;
using SenderAuth.Store.Reports.Analysis;

namespace SenderAuth.Tests.Server;

/// <summary>Query words (period, format, untrusted) are read once as enums, through the JSON contract's tokens.</summary>
[Trait("Layer", "server")]
public sealed class QueryWordsTests
{
    [Theory]
    [InlineData("day", ReportPeriod.Day)]
    [InlineData("week", ReportPeriod.Week)]
    [InlineData("month", ReportPeriod.Month)]
    [InlineData(null, ReportPeriod.Day)]
    public void Parse_KnownWordOrAbsent_IsItsValue(string? word, ReportPeriod expected)
    {
        Assert.True(QueryWords.Parse(word, "period", ReportPeriod.Day).TryGet(out var value, out _));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("fortnight")]
    [InlineData("Week")]
    [InlineData("1")]
    [InlineData("")]
    [InlineData("day,week")]
    public void Parse_UnknownWord_IsInvalidNamingTheParameterAndTheWords(string word)
    {
        Assert.False(QueryWords.Parse(word, "period", ReportPeriod.Day).TryGet(out _, out var error));
        var invalid = Assert.IsType<ServiceError.Invalid>(error);
        Assert.Equal("period", invalid.Field);
        Assert.Equal($"period must be day, week or month, not \"{word}\"", invalid.Detail);
    }

    [Fact]
    public void Words_AreTheContractsTokens()
    {
        Assert.Equal("json or csv", QueryWords.Words<ReportFormat>());
        Assert.Equal("json or zone", QueryWords.Words<RecordsFormat>());
        Assert.Equal("include or exclude", QueryWords.Words<UntrustedReports>());
    }

    [Fact]
    public void Optional_EmptyIsAbsent_UnknownIsInvalid()
    {
        Assert.True(QueryWords.Optional<UntrustedReports>("", "untrusted").TryGet(out var none, out _));
        Assert.Null(none);
        Assert.True(QueryWords.Optional<UntrustedReports>("exclude", "untrusted").TryGet(out var exclude, out _));
        Assert.Equal(UntrustedReports.Exclude, exclude);
        Assert.False(QueryWords.Optional<UntrustedReports>("yes", "untrusted").TryGet(out _, out var error));
        Assert.Equal("untrusted must be include or exclude, not \"yes\"", error.Detail);
    }
}
