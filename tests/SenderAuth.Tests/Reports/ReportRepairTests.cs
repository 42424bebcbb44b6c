using System.IO.Compression;
using System.Text;
using SenderAuth.Reports;

namespace SenderAuth.Tests.Reports;

/// <summary>
/// The lenient pre-pass (<see cref="ReportXmlRepair"/>) and the reader's recoveries: what is repaired and said,
/// and what stays strict (DTDs, entities, field and size limits), and that hostile input costs linear time and
/// fixed memory.
/// </summary>
[Trait("Layer", "engine")]
public sealed class ReportRepairTests
{
    private const string Head = """<?xml version="1.0" encoding="UTF-8"?><feedback><report_metadata>""";
    private const string Rest = """
        <report_id>r1</report_id><date_range><begin>1793491200</begin><end>1793577599</end></date_range></report_metadata>
        <policy_published><domain>corpus.example</domain><p>none</p></policy_published>
        <record><row><source_ip>192.0.2.1</source_ip><count>2</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
        <identifiers><header_from>corpus.example</header_from></identifiers></record></feedback>
        """;

    private static async Task<DmarcReportSummary> ReadAsync(byte[] data, string name = "input.xml")
    {
        using var stream = new MemoryStream(data);
        return Assert.Single(await new DmarcReportParser().SummarizeAsync(stream, name, TestContext.Current.CancellationToken));
    }

    private static byte[] Report(string metadata) => Encoding.UTF8.GetBytes(Head + metadata + Rest);

    [Fact]
    public async Task UnescapedLtInEmail_RecoversTheTextWithItsByteOffset()
    {
        var s = await ReadAsync(Report("<org_name>x.example</org_name><email><bad-xml@x.example></email>"));
        Assert.Equal("<bad-xml@x.example>", s.Header!.Metadata.Email);
        var w = Assert.Single(s.Warnings);
        Assert.Equal(("unescaped-lt", $"byte {(Head + "<org_name>x.example</org_name><email>").Length}"), (w.Code, w.Position));
    }

    [Fact]
    public async Task UndeclaredEntity_IsKeptAsTextNeverExpanded()
    {
        var s = await ReadAsync(Report("<org_name>&xxe; &amp; &#65;</org_name><email>a@x.example</email>"));
        Assert.Equal("&xxe; & A", s.Header!.Metadata.OrgName);
        Assert.Equal("unescaped-ampersand", Assert.Single(s.Warnings).Code);
    }

    [Fact]
    public async Task Doctype_AfterARepairableQuirk_IsStillRefused()
    {
        var xml = "<?xml version=\"1.0\"?><!-- a < b --><!DOCTYPE feedback [<!ENTITY a \"<bad@x>\">]><feedback>&a;</feedback>";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(xml));
        var e = await Assert.ThrowsAsync<DmarcReportException>(() => new DmarcReportParser().SummarizeAsync(stream, "dtd.xml", TestContext.Current.CancellationToken));
        Assert.Equal(DmarcReportErrorKind.DtdProhibited, e.Kind);
    }

    [Fact]
    public async Task RepairedField_StillBoundByMaxFieldChars()
    {
        var e = await Assert.ThrowsAsync<DmarcReportException>(() => ReadAsync(Report($"<org_name>{string.Concat(Enumerable.Repeat("<@", 3000))}</org_name>")));
        Assert.Equal(DmarcReportErrorKind.LimitExceeded, e.Kind);
    }

    [Fact]
    public async Task InvalidUtf8_ReplacedOneWarningPerRun()
    {
        var bytes = Report("<org_name>M__ller</org_name><email>a@x.example</email>");
        var at = Encoding.UTF8.GetString(bytes).IndexOf("__", StringComparison.Ordinal);
        (bytes[at], bytes[at + 1]) = (0xFC, 0xFF);
        var s = await ReadAsync(bytes);
        Assert.Equal("M\uFFFD\uFFFDller", s.Header!.Metadata.OrgName);
        Assert.Equal(("invalid-utf8", $"byte {at}"), (Assert.Single(s.Warnings).Code, s.Warnings[0].Position));
    }

    [Fact]
    public async Task DeclaredLatin1_IsDecodedNotReplaced()
    {
        var xml = Head.Replace("UTF-8", "ISO-8859-1", StringComparison.Ordinal) + "<org_name>M\u00fcller</org_name><email>a@x.example</email>" + Rest;
        var s = await ReadAsync(Encoding.Latin1.GetBytes(xml));
        Assert.Equal("M\u00fcller", s.Header!.Metadata.OrgName);
        Assert.Empty(s.Warnings);
    }

    [Fact]
    public async Task WrongRootWithoutFeedback_IsStillWrongRoot()
    {
        var e = await Assert.ThrowsAsync<DmarcReportException>(() => ReadAsync("<xs:schema xmlns:xs=\"urn:x\"><report/></xs:schema>"u8.ToArray()));
        Assert.Equal(DmarcReportErrorKind.WrongRoot, e.Kind);
    }

    [Fact]
    public async Task TwoReportsInOneWrapper_Refused()
    {
        var one = (Head + "<org_name>x.example</org_name>" + Rest).Replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "", StringComparison.Ordinal);
        var e = await Assert.ThrowsAsync<DmarcReportException>(() => ReadAsync(Encoding.UTF8.GetBytes($"<wrap>{one}{one}</wrap>")));
        Assert.Equal(DmarcReportErrorKind.InvalidValue, e.Kind);
    }

    [Fact]
    public async Task GzipBomb_BehindARepairableQuirk_StillStoppedByTheRatioLimit()
    {
        using var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            // A bare '&' to repair, then 64 MiB of NULs between elements (each repaired to U+FFFD, none in a field).
            gz.Write(Encoding.UTF8.GetBytes(Head + "<org_name>&bomb</org_name>"));
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
            {
                gz.Write(zeros);
            }
        }
        using var stream = new MemoryStream(packed.ToArray());
        var e = await Assert.ThrowsAsync<DmarcReportException>(() => new DmarcReportParser().SummarizeAsync(stream, "bomb.xml.gz", TestContext.Current.CancellationToken));
        Assert.Equal(DmarcReportErrorKind.LimitExceeded, e.Kind);
        Assert.Contains("MaxCompressionRatio", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Each worst case, and whether the pre-pass warns about it (a name past the window is left to the strict reader).</summary>
    public static TheoryData<string, string, bool> Hostile() => new()
    {
        { "longest-lookahead-then-text", "<" + new string('a', 128) + "@", true },
        { "name-past-the-window", "<" + new string('a', 200), false },
        { "bare-ampersands", "&&&&&&&&", true },
        { "almost-references", "&#1234567", true },
        { "lt-runs", "<<<<<<<<", true },
        { "invalid-utf8", "\u00ff", true },
        { "control-characters", "\u0001\u0002", true },
    };

    /// <summary>
    /// 8 MiB of each worst case through the pre-pass alone: fixed memory, and work (the repair's own step count, not
    /// the wall clock of a shared machine) linear in the input: four times the input is four times the steps, where
    /// a quadratic pass would take sixteen.
    /// </summary>
    [Theory]
    [MemberData(nameof(Hostile))]
    public void Repair_HostileInput_LinearWorkFixedMemory(string name, string unit, bool warns)
    {
        _ = name;
        var chunk = unit.Select(c => (byte)c).ToArray();
        var small = Drain(chunk, 2 << 20, warns);
        var large = Drain(chunk, 8 << 20, warns);
        Assert.True(large.Allocated < 1 << 20, $"{large.Allocated:N0} bytes allocated for 8 MiB");
        Assert.True(large.Steps <= small.Steps * 4.1, $"2 MiB {small.Steps:N0} steps, 8 MiB {large.Steps:N0}");
        // At most one look-ahead window (128 bytes and the markup around it) per byte, whatever the input.
        Assert.True(large.Steps <= 140L * (8 << 20), $"{large.Steps:N0} steps for 8 MiB");
    }

    private static (long Allocated, long Steps) Drain(byte[] unit, int size, bool warns)
    {
        var input = new byte[size + Head.Length];
        Encoding.ASCII.GetBytes("<feedback><email>").CopyTo(input, 0);
        for (var i = 17; i < input.Length; i += unit.Length)
        {
            unit.AsSpan(0, Math.Min(unit.Length, input.Length - i)).CopyTo(input.AsSpan(i));
        }
        var warnings = new DmarcReportWarnings(100);
        using var repair = new ReportXmlRepair(new MemoryStream(input), warnings);
        var buffer = new byte[64 * 1024];
        var before = GC.GetAllocatedBytesForCurrentThread();
        long total = 0;
        int n;
        while ((n = repair.Read(buffer)) > 0)
        {
            total += n;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(total >= size);
        // The quirk is warned about (or left alone); what is kept is bounded, the rest only counted.
        Assert.Equal(warns, warnings.Count > 0);
        Assert.Equal(Math.Min(warnings.Count, 100), warnings.Kept.Count);
        return (allocated, repair.Steps);
    }
}
