using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SenderAuth.Dns;
using SenderAuth.Server.Publishing;

namespace SenderAuth.Tests.Interop;

/// <summary>
/// RFC 1035 §5.1 zone files both ways with two independent readers: Knot (the tests' server, which loads
/// tests/servers/knot/zones/escapes.test.zone, and <c>knotc zone-read</c> writes back what it read) and BIND's
/// <c>named-compilezone</c>. What they write back parses, with our reader, to exactly the records our reader gets from
/// the original; and the zone file our server writes in zonefile mode (names with spaces, dots and colons, strings with
/// quotes, semicolons and UTF-8) is accepted by <c>kzonecheck</c>, loaded by Knot and BIND, and read back the same.
/// </summary>
[Trait("Layer", "interop")]
[Trait("Needs", "knot")]
[Trait("Needs", "bind")]
public sealed partial class ZoneFileRoundTripTests : IDisposable
{
    private const string Fixture = "escapes.test";
    private const string KnotControl = "SENDERAUTH_TEST_KNOT_CONTROL";
    private const string Knotc = "/usr/sbin/knotc";
    private const string Kzonecheck = "/usr/bin/kzonecheck";
    private const string NamedCompilezone = "/usr/bin/named-compilezone";

    private readonly string _dir = Directory.CreateTempSubdirectory("sa-zonert-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "TestData", "knot", Fixture + ".zone");

    [Fact]
    public async Task KnotZoneRead_OfTheEscapesFixture_ParsesToOurRecordsOfTheOriginal()
    {
        var ours = ZoneFileParser.ParseFile(FixturePath);
        AssertNasty(ours);
        var knot = ZoneFileParser.Parse(await KnotZoneReadAsync(Control(), Fixture));
        AssertSameRecords(ours, knot);
    }

    [Fact]
    public async Task NamedCompilezone_OfTheEscapesFixture_ParsesToOurRecordsOfTheOriginal()
    {
        var ours = ZoneFileParser.ParseFile(FixturePath);
        var bind = ZoneFileParser.ParseFile(await CompileAsync(Fixture, FixturePath));
        AssertSameRecords(ours, bind);
    }

    [Fact]
    public async Task WrittenZone_WithNastyNamesAndStrings_KzonecheckKnotAndBindReadTheSameRecords()
    {
        const string Origin = "written.test";
        var zone = new ProviderZone(Origin, 7,
        [
            ZoneRecord.Txt($"macro%percent  space.{Origin}", 300, ["v=spf1 -all"]),
            ZoneRecord.Txt($"foo:bar/baz.{Origin}", 300, ["quote \" backslash \\ semi; colon", "caf\u00e9 \t tab"]),
            ZoneRecord.Txt($"paren(s)@and$dollar.{Origin}", 60, ["(not a group)", ""]),
            new ZoneRecord($"alias.{Origin}", "CNAME", 300, $"foo:bar/baz.{Origin}"),
            new ZoneRecord($"mail one.{Origin}", "A", 300, "192.0.2.25"),
            new ZoneRecord($"mail one.{Origin}", "AAAA", 300, "2001:db8::25"),
            new ZoneRecord($@"mail\.relay.{Origin}", "A", 300, "192.0.2.26"),
            new ZoneRecord(Origin, "MX", 300, $@"10 mail\.relay.{Origin}"),
        ]);
        var path = Path.Combine(_dir, Origin + ".zone");
        // Name servers outside the zone, as a provider's are: in-zone ones would need glue kzonecheck asks for.
        await File.WriteAllTextAsync(path, ZoneFilePublisher.Render(zone, ["ns1.provider.example"], "dns.admin@provider.example"), Ct);
        var ours = ZoneFileParser.ParseFile(path);
        Assert.Equal(zone.Records.Count + 2, ours.Count);
        Assert.Equal(["quote \" backslash \\ semi; colon", "caf\u00e9 \t tab"],
            ours.Records.OfType<TxtRecord>().Single(t => t.Name == $"foo:bar/baz.{Origin}").Strings);
        Assert.Equal($@"mail\.relay.{Origin}", ours.Records.OfType<MxRecord>().Single().Exchange);

        var (exit, output, errors) = await RunAsync(Kzonecheck, ["-o", Origin, path]);
        Assert.True(exit == 0, $"kzonecheck refused our zone file: {output}{errors}\n{await File.ReadAllTextAsync(path, Ct)}");
        AssertSameRecords(ours, ZoneFileParser.ParseFile(await CompileAsync(Origin, path)));

        var control = Control();
        await KnotcAsync(control, "conf-begin");
        try
        {
            await KnotcAsync(control, "conf-set", $"zone[{Origin}]");
            await KnotcAsync(control, "conf-set", $"zone[{Origin}].file", path);
            await KnotcAsync(control, "conf-commit");
            AssertSameRecords(ours, ZoneFileParser.Parse(await KnotZoneReadAsync(control, Origin)));
        }
        finally
        {
            await RunAsync(Knotc, ["-s", control, "conf-abort"]);
            await KnotcAsync(control, "conf-begin");
            await KnotcAsync(control, "conf-unset", $"zone[{Origin}]");
            await KnotcAsync(control, "conf-commit");
        }
    }

    /// <summary>The fixture is not vacuous: our reader got the issue's names and strings from it.</summary>
    private static void AssertNasty(DnsZone zone)
    {
        var names = zone.Records.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Contains($"foo:bar/baz.{Fixture}", names);
        Assert.Contains($"macro%percent  space.{Fixture}", names);
        Assert.Contains($@"dot\.inside.label.{Fixture}", names);
        Assert.Contains($"(paren)\"quote;semi.{Fixture}", names);
        Assert.Equal(["semi; colon", "quote \" backslash \\ tab\tend"],
            zone.Records.OfType<TxtRecord>().Single(t => t.Name == $"macro%percent  space.{Fixture}").Strings);
        Assert.Equal(["CAA", "SRV", "TYPE65534"], zone.SkippedTypes);
    }

    private static void AssertSameRecords(DnsZone expected, DnsZone actual)
    {
        Assert.Equal(Canonical(expected), Canonical(actual));
        Assert.Equal(expected.SkippedTypes, actual.SkippedTypes);
    }

    /// <summary>Every record as one line (owner, TTL, type, data; TXT strings one by one), sorted.</summary>
    private static List<string> Canonical(DnsZone zone) =>
        [.. zone.Records.Select(r => $"{r.Name} {r.Ttl} {r.Type} " + r switch
        {
            AddressRecord a => a.Address.ToString(),
            MxRecord m => $"{m.Preference} {m.Exchange}",
            CnameRecord c => c.Target,
            NsRecord n => n.Target,
            PtrRecord p => p.Target,
            SoaRecord s => $"{s.PrimaryServer} {s.Mailbox} {s.Serial} {s.Minimum}",
            TxtRecord t => string.Join(" ", t.Strings.Select(s => "[" + s + "]")),
            _ => throw new InvalidOperationException($"no canonical form for {r.GetType().Name}"),
        }).Order(StringComparer.Ordinal)];

    private static string Control()
    {
        foreach (var tool in (string[])[Knotc, Kzonecheck, NamedCompilezone])
        {
            if (!File.Exists(tool))
            {
                Assert.Skip($"{tool} not installed (./run-tests installs knot, knot-dnssecutils and bind9-utils)");
            }
        }
        return TestServers.Get(KnotControl) ?? throw SkipException(TestServers.Why(KnotControl));
    }

    private static Exception SkipException(string why)
    {
        Assert.Skip(why);
        return new UnreachableException();
    }

    /// <summary>What Knot serves for the zone, as master-file lines: <c>knotc zone-read</c> without its "[zone.] "
    /// prefix. Polls: a zone added through conf-commit loads in the background.</summary>
    private static async Task<string> KnotZoneReadAsync(string control, string zone)
    {
        var (output, errors) = ("", "");
        for (var attempt = 0; attempt < 100; attempt++)
        {
            int exit;
            (exit, output, errors) = await RunAsync(Knotc, ["-s", control, "zone-read", zone]);
            if (exit == 0 && output.Contains(" SOA ", StringComparison.Ordinal))
            {
                return ZonePrefix().Replace(output, "");
            }
            await Task.Delay(100, Ct);
        }
        Assert.Fail($"knotc zone-read {zone} gave no zone: {output}{errors}");
        return "";
    }

    private static async Task KnotcAsync(string control, params string[] args)
    {
        var (exit, output, errors) = await RunAsync(Knotc, ["-s", control, .. args]);
        Assert.True(exit == 0, $"knotc {string.Join(' ', args)}: {output}{errors}");
    }

    /// <summary>BIND's reading of the zone, written back in its full master-file form. Name checks off: the names
    /// here are not host names on purpose.</summary>
    private async Task<string> CompileAsync(string origin, string path)
    {
        var output = Path.Combine(_dir, $"{origin}.bind-{Guid.NewGuid():N}");
        var (exit, log, errors) = await RunAsync(NamedCompilezone, ["-k", "ignore", "-i", "none", "-s", "full", "-o", output, origin, path]);
        Assert.True(exit == 0, $"named-compilezone refused {path}: {log}{errors}");
        return output;
    }

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(string file, string[] args)
    {
        TestNeeds.Require(file == NamedCompilezone ? "bind" : "knot");
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex(@"^\[[^\]\s]*\] ", RegexOptions.Multiline, 1000, "en-US")]
    private static partial Regex ZonePrefix();
}
