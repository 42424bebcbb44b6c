using System.Net;
using System.Text;
using SenderAuth.Reports;

namespace SenderAuth.Tests.Reports;

[Trait("Layer", "engine")]
public class DmarcReportParserTests
{
    private static readonly DmarcReportParser Parser = new();

    private static async Task<List<(DmarcReportHeader Header, List<DmarcReportRecord> Records, IReadOnlyList<DmarcReportWarning> Warnings)>> ReadAllAsync(string file)
    {
        var result = new List<(DmarcReportHeader, List<DmarcReportRecord>, IReadOnlyList<DmarcReportWarning>)>();
        await foreach (var report in Parser.ReadFileAsync(ReportFiles.Path(file), TestContext.Current.CancellationToken))
        {
            var records = new List<DmarcReportRecord>();
            await foreach (var r in report.ReadRecordsAsync(TestContext.Current.CancellationToken))
            {
                records.Add(r);
            }
            Assert.True(report.IsComplete);
            result.Add((report.Header, records, report.Warnings));
        }
        return result;
    }

    private static async Task<DmarcReportException> RefusedAsync(byte[] data, string name = "input", DmarcReportParser? parser = null)
    {
        using var stream = new MemoryStream(data);
        return await Assert.ThrowsAsync<DmarcReportException>(() =>
            (parser ?? Parser).SummarizeAsync(stream, name, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReadFile_GoogleZip_NoNamespace_ReadsMetadataPolicyAndRecords()
    {
        var (header, records, warnings) = Assert.Single(await ReadAllAsync(ReportFiles.Google));
        Assert.Equal("", header.Namespace);
        Assert.Equal("google.com", header.Metadata.OrgName);
        Assert.Equal("9391651994964116463", header.Metadata.ReportId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700006400), header.Metadata.Begin);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700092799), header.Metadata.End);
        Assert.Equal(DmarcDisposition.Quarantine, header.Policy.Policy);
        Assert.Equal(DmarcDisposition.Quarantine, header.Policy.NonExistentSubdomainPolicy);
        Assert.Equal(100, header.Policy.Percent);
        Assert.Equal(3, records.Count);
        Assert.Equal(IPAddress.Parse("198.51.100.10"), records[0].SourceIp);
        Assert.Equal(120, records[0].Count);
        Assert.True(records[0].DmarcPass);
        Assert.Equal("s2023", records[0].DkimResults[0].Selector);
        Assert.Equal(DmarcDisposition.Quarantine, records[1].Disposition);
        Assert.Equal(DmarcAuthResult.SoftFail, records[1].SpfResults[0].Result);
        Assert.Empty(records[1].DkimResults);
        Assert.Equal(IPAddress.Parse("2001:db8:4860::1a"), records[2].SourceIp);
        Assert.Equal(new DmarcPolicyOverrideReason(DmarcPolicyOverride.Forwarded, "looks forwarded"), Assert.Single(records[2].Reasons));
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task ReadFile_OutlookGzip_Rfc7489NamespaceAndExtensions()
    {
        var (header, records, warnings) = Assert.Single(await ReadAllAsync(ReportFiles.Outlook));
        Assert.Equal("http://dmarc.org/dmarc-xml/0.1", header.Namespace);
        Assert.Equal("1.0", header.Version);
        Assert.Equal("Outlook.com", header.Metadata.OrgName);
        Assert.Equal("0", header.Policy.FailureOptions);
        Assert.Equal(2, records.Count);
        Assert.Equal("outlook.com", records[0].EnvelopeTo);
        Assert.Equal("example.org", records[0].EnvelopeFrom);
        Assert.Equal(DmarcSpfScope.MailFrom, records[0].SpfResults[0].Scope);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task ReadFile_YahooGzip_Reads()
    {
        var (header, records, _) = Assert.Single(await ReadAllAsync(ReportFiles.Yahoo));
        Assert.Equal("Yahoo", header.Metadata.OrgName);
        Assert.Equal(15, Assert.Single(records).Count);
    }

    [Fact]
    public async Task ReadFile_MailRuPrefixedNamespace_MatchesByLocalName()
    {
        var (header, records, _) = Assert.Single(await ReadAllAsync(ReportFiles.MailRu));
        Assert.Equal("Mail.Ru", header.Metadata.OrgName);
        Assert.Equal(DmarcDisposition.Reject, header.Policy.Policy);
        Assert.Equal(2, records.Count);
        Assert.Equal(DmarcDisposition.Reject, records[1].Disposition);
    }

    [Fact]
    public async Task ReadFile_Rfc9990_NewFieldsAndPassDisposition()
    {
        var (header, records, warnings) = Assert.Single(await ReadAllAsync(ReportFiles.Rfc9990));
        Assert.Equal("urn:ietf:params:xml:ns:dmarc-2.0", header.Namespace);
        Assert.Equal("ExampleMTA 4.2", header.Metadata.Generator);
        Assert.Equal(["DNS timeout fetching policy for sub.example.org; retried"], header.Metadata.Errors);
        Assert.Equal(DmarcDisposition.Reject, header.Policy.NonExistentSubdomainPolicy);
        Assert.Equal("treewalk", header.Policy.DiscoveryMethod);
        Assert.False(header.Policy.Testing);
        Assert.Equal(DmarcAlignmentMode.Strict, header.Policy.DkimAlignment);
        Assert.Equal(DmarcDisposition.Pass, records[0].Disposition);
        Assert.Equal("good signature", records[0].DkimResults[0].HumanResult);
        Assert.Equal([DmarcPolicyOverride.PolicyTestMode, DmarcPolicyOverride.LocalPolicy], records[1].Reasons.Select(r => r.Type));
        Assert.Equal(DmarcAuthResult.PermError, records[1].SpfResults[0].Result);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task ReadFile_EmlCarryingZip_ReadsTheAttachment()
    {
        var (header, records, _) = Assert.Single(await ReadAllAsync(ReportFiles.Eml));
        Assert.Equal("google.com", header.Metadata.OrgName);
        Assert.Equal(3, records.Count);
    }

    [Fact]
    public async Task Summarize_Google_CountsDispositionsPassRateAndSources()
    {
        var s = Assert.Single(await Parser.SummarizeFileAsync(ReportFiles.Path(ReportFiles.Google), TestContext.Current.CancellationToken));
        Assert.Equal(130, s.Messages);
        Assert.Equal(3, s.Records);
        Assert.Equal(123, s.DmarcPass);
        Assert.Equal(123, s.Dispositions[DmarcDisposition.None]);
        Assert.Equal(7, s.Dispositions[DmarcDisposition.Quarantine]);
        Assert.Equal(0, s.Dispositions[DmarcDisposition.Reject]);
        var v6 = s.Sources.Single(x => x.Ip.Equals(IPAddress.Parse("2001:db8:4860::1a")));
        Assert.Equal((3L, 0L, 3L), (v6.DmarcPass, v6.SpfAligned, v6.DkimAligned));
        Assert.Equal("198.51.100.10", s.Sources[0].Ip.ToString());
    }

    [Fact]
    public async Task Combine_SeveralReporters_MergesSourcesByIp()
    {
        var all = new List<DmarcReportSummary>();
        foreach (var f in new[] { ReportFiles.Google, ReportFiles.Outlook, ReportFiles.MailRu })
        {
            all.AddRange(await Parser.SummarizeFileAsync(ReportFiles.Path(f), TestContext.Current.CancellationToken));
        }
        var c = DmarcReportSummary.Combine(all);
        Assert.Equal(3, c.Reports);
        Assert.Equal(130 + 42 + 13, c.Messages);
        Assert.Equal(120 + 40 + 9, c.Sources.Single(x => x.Ip.ToString() == "198.51.100.10").Messages);
    }

    [Fact]
    public async Task Zip_SeveralEntriesIncludingGzipInside_AllRead()
    {
        var zip = ReportFiles.Zip(("a.xml", ReportFiles.Xml(3)), ("dir/", []), ("b.xml.gz", ReportFiles.Gzip(ReportFiles.Xml(5))));
        using var stream = new MemoryStream(zip);
        var summaries = await Parser.SummarizeAsync(stream, "multi.zip", TestContext.Current.CancellationToken);
        Assert.Equal([3L, 5L], summaries.Select(s => s.Records));
        Assert.Equal("multi.zip!b.xml.gz", summaries[1].Source);
    }

    [Fact]
    public async Task Zip_InZip_WithinDepthLimit_Read()
    {
        var inner = ReportFiles.Zip(("r.xml", ReportFiles.Xml(2)));
        using var stream = new MemoryStream(ReportFiles.Zip(("inner.zip", inner)));
        var s = Assert.Single(await Parser.SummarizeAsync(stream, "outer.zip", TestContext.Current.CancellationToken));
        Assert.Equal(2, s.Records);
    }

    [Fact]
    public async Task Zip_NestedDeeperThanLimit_Refused()
    {
        var level1 = ReportFiles.Zip(("r.xml", ReportFiles.Xml(1)));
        var level2 = ReportFiles.Zip(("l1.zip", level1));
        var e = await RefusedAsync(ReportFiles.Zip(("l2.zip", level2)), "deep.zip");
        Assert.Equal(DmarcReportErrorKind.LimitExceeded, e.Kind);
        Assert.Contains("MaxNestingDepth", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zip_TooManyEntries_Refused()
    {
        var entries = Enumerable.Range(0, 21).Select(i => ($"r{i}.xml", ReportFiles.Xml(1))).ToArray();
        var e = await RefusedAsync(ReportFiles.Zip(entries), "many.zip");
        Assert.Equal(DmarcReportErrorKind.LimitExceeded, e.Kind);
        Assert.Contains("21 entries", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zip_Bomb_StoppedByRatio()
    {
        var bomb = ReportFiles.Zip(("bomb.xml", ReportFiles.BombXml(64 << 20)));
        var e = await RefusedAsync(bomb, "bomb.zip");
        Assert.Equal(DmarcReportErrorKind.LimitExceeded, e.Kind);
        Assert.Contains("compression ratio", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gzip_Bomb2GB_StoppedEarlyInBoundedMemory()
    {
        var bomb = ReportFiles.GzipBomb(2L << 30);
        Assert.True(bomb.Length < 4 << 20, $"bomb is {bomb.Length} bytes");
        var before = GC.GetTotalAllocatedBytes(precise: false);
        var e = await RefusedAsync(bomb, "bomb.xml.gz");
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - before;
        Assert.Equal(DmarcReportErrorKind.LimitExceeded, e.Kind);
        Assert.Contains("compression ratio", e.Reason, StringComparison.Ordinal);
        Assert.True(allocated < 64 << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public async Task Gzip_OverDecompressedLimit_Refused()
    {
        var parser = new DmarcReportParser(new DmarcReportLimits { MaxDecompressedBytes = 100_000, MaxCompressionRatio = 1000 });
        var e = await RefusedAsync(ReportFiles.Gzip(ReportFiles.Xml(2000)), "big.xml.gz", parser);
        Assert.Equal(DmarcReportErrorKind.LimitExceeded, e.Kind);
        Assert.Contains("MaxDecompressedBytes", e.Reason, StringComparison.Ordinal);
        Assert.True(e.Line > 0);
    }

    [Fact]
    public async Task Gzip_Truncated_ReportedWithPosition()
    {
        var e = await Assert.ThrowsAsync<DmarcReportException>(() => Parser.SummarizeFileAsync(ReportFiles.Path("truncated.xml.gz"), TestContext.Current.CancellationToken));
        Assert.True(e.Kind is DmarcReportErrorKind.MalformedXml or DmarcReportErrorKind.CorruptArchive, e.Message);
        Assert.StartsWith("truncated.xml.gz", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hostile-billion-laughs.xml")]
    [InlineData("hostile-external-entity.xml")]
    public async Task Doctype_EntityExpansionOrExternalEntity_RefusedNeverResolved(string file)
    {
        var e = await Assert.ThrowsAsync<DmarcReportException>(() => Parser.SummarizeFileAsync(ReportFiles.Path(file), TestContext.Current.CancellationToken));
        Assert.Equal(DmarcReportErrorKind.DtdProhibited, e.Kind);
        Assert.Contains("DOCTYPE is not allowed", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("lollol", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongRoot_Refused()
    {
        var e = await Assert.ThrowsAsync<DmarcReportException>(() => Parser.SummarizeFileAsync(ReportFiles.Path("wrong-root.xml"), TestContext.Current.CancellationToken));
        Assert.Equal(DmarcReportErrorKind.WrongRoot, e.Kind);
        Assert.Equal((2, 2), (e.Line, e.Column));
    }

    [Fact]
    public async Task MalformedXml_LineAndColumnInMessage()
    {
        var e = await Assert.ThrowsAsync<DmarcReportException>(() => Parser.SummarizeFileAsync(ReportFiles.Path("malformed.xml"), TestContext.Current.CancellationToken));
        Assert.Equal(DmarcReportErrorKind.MalformedXml, e.Kind);
        Assert.Equal((6, 5), (e.Line, e.Column));
        Assert.StartsWith("malformed.xml:6:5: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xFE, 0xFF, 0x00, 0x00, 0x73, 0x6F, 0x75, 0x72 })] // found by AFL++: a BOM XmlReader.Create cannot decode
    [InlineData(new byte[] { 0xFF, 0xFE, 0x00, 0x00, 0x3C, 0x00, 0x00, 0x00 })] // UTF-32 little-endian BOM, then a cut-off document
    [InlineData(new byte[] { 0xFF, 0xFE, 0x3C, 0x00, 0x00, 0xD8, 0x3E, 0x00 })] // UTF-16 with an unpaired surrogate
    public async Task UnreadableEncoding_DocumentedExceptionNotXmlException(byte[] data)
    {
        var e = await RefusedAsync(data, "bad.xml");
        Assert.Equal(DmarcReportErrorKind.MalformedXml, e.Kind);
        Assert.StartsWith("bad.xml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreadableEncodingFile_DocumentedException()
    {
        var e = await Assert.ThrowsAsync<DmarcReportException>(() => Parser.SummarizeFileAsync(ReportFiles.Path("utf16-bom-garbage.xml"), TestContext.Current.CancellationToken));
        Assert.Equal("malformed-xml", e.Kind.Code());
    }

    [Fact]
    public async Task InvalidIp_InvalidValueAtItsPosition()
    {
        var e = await Assert.ThrowsAsync<DmarcReportException>(() => Parser.SummarizeFileAsync(ReportFiles.Path("invalid-ip.xml"), TestContext.Current.CancellationToken));
        Assert.Equal(DmarcReportErrorKind.InvalidValue, e.Kind);
        Assert.Equal(22, e.Line);
        Assert.Contains("198.51.100.300", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<count>-1</count>", "<count>")]
    [InlineData("<count>lots</count>", "<count>")]
    [InlineData("<source_ip>1</source_ip>", "<source_ip>")]
    public async Task BadValues_Refused(string replacement, string expected)
    {
        var xml = Encoding.UTF8.GetString(ReportFiles.Xml(1)).Replace("<count>2</count>", replacement.StartsWith("<count>", StringComparison.Ordinal) ? replacement : "<count>2</count>", StringComparison.Ordinal);
        if (replacement.StartsWith("<source_ip>", StringComparison.Ordinal))
        {
            xml = xml.Replace("<source_ip>192.0.2.1</source_ip>", replacement, StringComparison.Ordinal);
        }
        var e = await RefusedAsync(Encoding.UTF8.GetBytes(xml));
        Assert.Equal(DmarcReportErrorKind.InvalidValue, e.Kind);
        Assert.Contains(expected, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownTokens_AreWarningsNotErrors()
    {
        var xml = Encoding.UTF8.GetString(ReportFiles.Xml(1)).Replace("<disposition>none</disposition>", "<disposition>discard</disposition>", StringComparison.Ordinal);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(xml));
        var s = Assert.Single(await Parser.SummarizeAsync(stream, "x.xml", TestContext.Current.CancellationToken));
        Assert.Equal(2, s.Dispositions[DmarcDisposition.Unknown]);
        Assert.Contains(s.Warnings, w => w.Code == "unknown-token" && w.Message.Contains("unknown <disposition> 'discard'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HugeField_StoppedByMaxFieldChars()
    {
        var xml = Encoding.UTF8.GetString(ReportFiles.Xml(1)).Replace("gen.example</org_name>", new string('a', 10_000) + "</org_name>", StringComparison.Ordinal);
        var e = await RefusedAsync(Encoding.UTF8.GetBytes(xml));
        Assert.Equal(DmarcReportErrorKind.LimitExceeded, e.Kind);
        Assert.Contains("MaxFieldChars", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotAReport_UnsupportedFormat()
    {
        var e = await RefusedAsync("%PDF-1.4 binary"u8.ToArray(), "x.pdf");
        Assert.Equal(DmarcReportErrorKind.UnsupportedFormat, e.Kind);
    }

    [Fact]
    public async Task SniffsByContent_NotByExtension()
    {
        using var stream = new MemoryStream(ReportFiles.Gzip(ReportFiles.Xml(4)));
        var s = Assert.Single(await Parser.SummarizeAsync(stream, "misnamed.xml", TestContext.Current.CancellationToken));
        Assert.Equal(4, s.Records);
    }

    [Fact]
    public async Task Streaming_ErrorAfterRecords_ThrowsSoConsumerRollsBack()
    {
        // Two good records, then the document is cut: the records were yielded but the report never completes.
        var xml = ReportFiles.Xml(3);
        var cut = xml.AsSpan(0, xml.Length - 150).ToArray();
        using var stream = new MemoryStream(cut);
        var imported = new List<DmarcReportRecord>();
        var committed = false;
        await Assert.ThrowsAsync<DmarcReportException>(async () =>
        {
            await foreach (var report in Parser.ReadAsync(stream, "cut.xml", TestContext.Current.CancellationToken))
            {
                await foreach (var r in report.ReadRecordsAsync(TestContext.Current.CancellationToken))
                {
                    imported.Add(r);
                }
                committed = true;
            }
        });
        Assert.False(committed);
        Assert.NotEmpty(imported);
    }

    [Fact]
    public async Task MissingMetadata_MissingElement()
    {
        var xml = "<feedback><policy_published><domain>example.org</domain></policy_published><record/></feedback>"u8.ToArray();
        var e = await RefusedAsync(xml);
        Assert.Equal(DmarcReportErrorKind.MissingElement, e.Kind);
        Assert.Contains("report_metadata", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_OutOfRange_RejectedAtConstruction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DmarcReportParser(new DmarcReportLimits { MaxZipEntries = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DmarcReportParser(new DmarcReportLimits { MaxCompressionRatio = 1 }));
    }

    [Fact]
    public void Tokens_RoundTripAndLegacySpfWords()
    {
        foreach (var d in Enum.GetValues<DmarcDisposition>().Where(d => d != DmarcDisposition.Unknown))
        {
            Assert.Equal(d, DmarcReportTokens.ParseDisposition(d.Token()));
        }
        Assert.Equal(DmarcAuthResult.TempError, DmarcReportTokens.ParseAuthResult("unknown"));
        Assert.Equal(DmarcAuthResult.PermError, DmarcReportTokens.ParseAuthResult("error"));
        Assert.Equal("sampled_out", DmarcPolicyOverride.SampledOut.Token());
    }
}
