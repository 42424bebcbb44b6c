using System.Diagnostics;
using SenderAuth.Dns;
using SenderAuth.Server.Publishing;
using static SenderAuth.Tests.Server.Publishing.PublishingSamples;

namespace SenderAuth.Tests.Server.Publishing;

/// <summary>The zone file: its exact text, the atomic write, and two independent readers (ours and Knot's kzonecheck).</summary>
[Trait("Layer", "server")]
[Trait("Needs", "knot")]
public sealed class ZoneFilePublisherTests : IDisposable
{
    private const string Origin = "dkim.provider.example";

    private readonly string _folder = Directory.CreateTempSubdirectory("sa-zonefile-").FullName;

    private string PathOf(string file) => Path.Combine(_folder, file);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Render_HeaderApexThenRecordsInCanonicalOrder()
    {
        var zone = new ProviderZone(Origin, 42,
        [
            ZoneRecord.Txt($"_spf.{Origin}", 600, ["v=spf1 -all"]),
            new ZoneRecord($"current._domainkey.{Origin}", "CNAME", 300, $"b._domainkey.{Origin}"),
            ZoneRecord.Txt($"b._domainkey.{Origin}", 300, ["v=DKIM1; ", "p=say \"hi\"\\ caf\u00e9"]),
            ZoneRecord.Txt(Origin, 300, ["apex"]),
        ]);
        var text = ZoneFilePublisher.Render(zone, ["ns1.provider.example", "ns2.provider.example"], "dns.admin@provider.example");
        Assert.Equal(
            $"; Provider zone {Origin}, serial 42, written by SenderAuth: change the records there, not here.\n" +
            $"$ORIGIN {Origin}.\n" +
            "$TTL 3600\n" +
            "@\t3600\tIN\tSOA\tns1.provider.example. dns\\.admin.provider.example. 42 3600 600 1209600 300\n" +
            "@\t3600\tIN\tNS\tns1.provider.example.\n" +
            "@\t3600\tIN\tNS\tns2.provider.example.\n" +
            "@\t300\tIN\tTXT\t\"apex\"\n" +
            "b._domainkey\t300\tIN\tTXT\t\"v=DKIM1; \" \"p=say \\\"hi\\\"\\\\ caf\\195\\169\"\n" +
            $"current._domainkey\t300\tIN\tCNAME\tb._domainkey.{Origin}.\n" +
            "_spf\t600\tIN\tTXT\t\"v=spf1 -all\"\n",
            text);
    }

    [Fact]
    public void Render_SameZoneInAnyOrder_SameText()
    {
        var zone = Zone(Origin, 3);
        var shuffled = zone with { Records = [.. zone.Records.Reverse()] };
        Assert.Equal(ZoneFilePublisher.Render(zone), ZoneFilePublisher.Render(shuffled));
    }

    [Fact]
    public async Task Publish_ReadBackByTheEngineParser_SameRecords()
    {
        var path = PathOf("provider.zone");
        var zone = Zone(Origin, 5);
        await new ZoneFilePublisher(new ZoneFileOptions { Path = path }).PublishAsync(zone, Ct);

        var parsed = ZoneFileParser.ParseFile(path);
        var soa = Assert.Single(parsed.Records.OfType<SoaRecord>());
        Assert.Equal((Origin, 5u, $"ns1.{Origin}", $"hostmaster.{Origin}"), (soa.Name, soa.Serial, soa.PrimaryServer, soa.Mailbox));
        Assert.Equal($"ns1.{Origin}", Assert.Single(parsed.Records.OfType<NsRecord>()).Target);
        var txt = parsed.Records.OfType<TxtRecord>().ToDictionary(t => t.Name, t => (t.Ttl, t.Strings));
        var wantedTxt = zone.Records.Where(r => r.Type == "TXT").ToDictionary(r => r.Name, r => ((uint)r.Ttl, r.TxtStrings));
        Assert.Equal(wantedTxt.Keys.Order(StringComparer.Ordinal), txt.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, (ttl, strings)) in wantedTxt)
        {
            Assert.Equal(ttl, txt[name].Ttl);
            Assert.Equal(strings, txt[name].Strings);
        }
        var cname = Assert.Single(parsed.Records.OfType<CnameRecord>());
        Assert.Equal(($"current._domainkey.{Origin}", $"mosa-2025b._domainkey.{Origin}"), (cname.Name, cname.Target));
    }

    [Fact]
    public async Task Publish_KzonecheckAcceptsTheFile()
    {
        const string Kzonecheck = "/usr/bin/kzonecheck";
        if (!File.Exists(Kzonecheck))
        {
            Assert.Skip($"{Kzonecheck} not installed (Debian package knot-dnssecutils): run ./run-tests, which installs it");
        }
        var path = PathOf("provider.zone");
        await new ZoneFilePublisher(new ZoneFileOptions { Path = path, NsNames = ["ns1.provider.example"], SoaMailbox = "dns.admin@provider.example" })
            .PublishAsync(Zone(Origin, 6), Ct);
        var start = new ProcessStartInfo(Kzonecheck, ["-o", Origin, path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct) + await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, output);
    }

    [Fact]
    public async Task Publish_ReplacesTheFileAtomically_NoTemporaryFileLeft_SameZoneNotRewritten()
    {
        var path = PathOf("provider.zone");
        var publisher = new ZoneFilePublisher(new ZoneFileOptions { Path = path });
        Assert.Null(publisher.AuthoritativeServer);
        Assert.Equal("zonefile", SenderAuth.Json.SenderAuthJson.Token(publisher.Kind));
        await File.WriteAllTextAsync(path, "old content", Ct);

        await publisher.PublishAsync(Zone(Origin, 7), Ct);
        Assert.Equal(publisher.Render(Zone(Origin, 7)), await File.ReadAllTextAsync(path, Ct));
        Assert.Equal([path], Directory.GetFiles(_folder));

        var written = File.GetLastWriteTimeUtc(path);
        File.SetLastWriteTimeUtc(path, written.AddHours(-1));
        await publisher.PublishAsync(Zone(Origin, 7), Ct);
        Assert.Equal(written.AddHours(-1), File.GetLastWriteTimeUtc(path));

        await publisher.PublishAsync(new ProviderZone(Origin, 8, []), Ct);
        Assert.DoesNotContain("_domainkey", await File.ReadAllTextAsync(path, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_UnwritableFolder_ZonePublishExceptionNamesThePath()
    {
        var path = PathOf("provider.zone");
        var publisher = new ZoneFilePublisher(new ZoneFileOptions { Path = path });
        Directory.Delete(_folder, recursive: true);
        var ex = await Assert.ThrowsAsync<ZonePublishException>(() => publisher.PublishAsync(Zone(Origin, 1), Ct));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Directory.CreateDirectory(_folder);
    }

    [Fact]
    public void Render_UnsupportedTypeOrOutsideName_Rejected()
    {
        Assert.Contains("not supported", Assert.Throws<ZonePublishException>(
            () => ZoneFilePublisher.Render(new ProviderZone(Origin, 1, [new ZoneRecord($"x.{Origin}", "SRV", 60, "0 0 25 mx.example.")]))).Message,
            StringComparison.Ordinal);
        Assert.Contains("not inside the zone", Assert.Throws<ZonePublishException>(
            () => ZoneFilePublisher.Render(new ProviderZone(Origin, 1, [ZoneRecord.Txt("other.example", 60, ["x"])]))).Message,
            StringComparison.Ordinal);
        Assert.Contains("longer than 255", Assert.Throws<ZonePublishException>(
            () => ZoneFilePublisher.Render(new ProviderZone(Origin, 1, [ZoneRecord.Txt($"x.{Origin}", 60, [new string('a', 256)])]))).Message,
            StringComparison.Ordinal);
    }
}
