using System.Net;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dns;

[Trait("Layer", "engine")]
public class ZoneFileParserTests
{
    private static T Single<T>(DnsZone zone) where T : DnsRecord => Assert.IsType<T>(Assert.Single(zone.Records));

    private static ZoneFileException Fails(string text, string? origin = "example.com") =>
        Assert.Throws<ZoneFileException>(() => ZoneFileParser.Parse(text, origin));

    private static void AssertAt(ZoneFileException e, int line, int column, string reasonPart)
    {
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains(reasonPart, e.Reason, StringComparison.Ordinal);
        Assert.Equal($"{line}:{column}: {e.Reason}", e.Message);
    }

    [Fact]
    public void Parse_OriginDirective_AppendsOriginToRelativeNames()
    {
        var r = Single<AddressRecord>(ZoneFileParser.Parse("$ORIGIN Example.COM.\nMail IN A 192.0.2.1\n"));
        Assert.Equal("mail.example.com", r.Name);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), r.Address);
    }

    [Fact]
    public void Parse_OriginArgument_AppendsOriginToRelativeNames()
    {
        Assert.Equal("www.example.org", Single<AddressRecord>(ZoneFileParser.Parse("www A 192.0.2.1", "example.org.")).Name);
    }

    [Fact]
    public void Parse_RelativeOriginDirective_IsAppendedToCurrentOrigin()
    {
        var zone = ZoneFileParser.Parse("$ORIGIN example.com.\n$ORIGIN sub\nhost A 192.0.2.1\n");
        Assert.Equal("host.sub.example.com", Single<AddressRecord>(zone).Name);
    }

    [Fact]
    public void Parse_AtSign_IsTheOrigin()
    {
        Assert.Equal("example.com", Single<TxtRecord>(ZoneFileParser.Parse("@ TXT hello", "example.com")).Name);
    }

    [Fact]
    public void Parse_AbsoluteNames_AreLowerCasedWithoutTrailingDot()
    {
        var r = Single<MxRecord>(ZoneFileParser.Parse("EXAMPLE.net. MX 10 MX1.Example.NET."));
        Assert.Equal(("example.net", "mx1.example.net"), (r.Name, r.Exchange));
    }

    [Fact]
    public void Parse_BlankOwner_ReusesPreviousOwner()
    {
        var zone = ZoneFileParser.Parse("host A 192.0.2.1\n\t; comment\n  AAAA 2001:db8::1\n\tTXT x\n", "example.com");
        Assert.Equal(3, zone.Count);
        Assert.All(zone.Records, r => Assert.Equal("host.example.com", r.Name));
    }

    [Theory]
    [InlineData("host 300 IN A 192.0.2.1", 300u)]
    [InlineData("host IN 300 A 192.0.2.1", 300u)]
    [InlineData("host in 1h a 192.0.2.1", 3600u)]
    [InlineData("host IN A 192.0.2.1", 3600u)]
    [InlineData("host 60 A 192.0.2.1", 60u)]
    public void Parse_TtlAndClass_OptionalInEitherOrder(string line, uint ttl)
    {
        var r = Single<AddressRecord>(ZoneFileParser.Parse(line, "example.com"));
        Assert.Equal(("host.example.com", ttl), (r.Name, r.Ttl));
    }

    [Fact]
    public void Parse_TtlDirective_AppliesToLaterRecordsWithoutTtl()
    {
        var zone = ZoneFileParser.Parse("a A 192.0.2.1\n$TTL 1d\nb A 192.0.2.2\nc 5 A 192.0.2.3\n", "example.com", defaultTtl: 42);
        Assert.Equal([42u, 86400u, 5u], zone.Records.OrderBy(r => r.Name).Select(r => r.Ttl));
    }

    [Theory]
    [InlineData("3600", 3600u)]
    [InlineData("0", 0u)]
    [InlineData("90s", 90u)]
    [InlineData("15m", 900u)]
    [InlineData("1h", 3600u)]
    [InlineData("2d", 172800u)]
    [InlineData("1W", 604800u)]
    [InlineData("1h30m", 5400u)]
    [InlineData("2147483647", 2147483647u)]
    public void Parse_TtlDirectiveUnits_AreConverted(string value, uint seconds)
    {
        Assert.Equal(seconds, Single<AddressRecord>(ZoneFileParser.Parse($"$TTL {value}\nhost A 192.0.2.1", "example.com")).Ttl);
    }

    [Fact]
    public void Parse_Comments_AreIgnoredExceptInsideQuotes()
    {
        var zone = ZoneFileParser.Parse("; header\n\nhost TXT \"a;b\" ; trailing \"comment\"\n;last", "example.com");
        Assert.Equal(["a;b"], Single<TxtRecord>(zone).Strings);
    }

    [Fact]
    public void Parse_ParenthesesSpanningLines_FormOneEntry()
    {
        const string text = """
            @ IN SOA ns1 hostmaster.example.com. (
                    2024010101 ; serial
                    7200 3600
                    1209600    ; expire
                    300 )      ; minimum
            """;
        var soa = Single<SoaRecord>(ZoneFileParser.Parse(text, "example.com"));
        Assert.Equal(("example.com", "ns1.example.com", "hostmaster.example.com", 2024010101u, 300u),
            (soa.Name, soa.PrimaryServer, soa.Mailbox, soa.Serial, soa.Minimum));
    }

    [Fact]
    public void Parse_QuotedEscapes_AreDecoded()
    {
        var r = Single<TxtRecord>(ZoneFileParser.Parse("""t TXT "say \"hi\" \\ \065\066C \;" """, "example.com"));
        Assert.Equal(["say \"hi\" \\ ABC ;"], r.Strings);
    }

    [Fact]
    public void Parse_DecimalEscapesFormingUtf8_AreDecodedAsUtf8()
    {
        Assert.Equal("café", Single<TxtRecord>(ZoneFileParser.Parse("""t TXT "caf\195\169" """, "example.com")).Text);
    }

    [Fact]
    public void Parse_DecimalEscapesNotUtf8_FallBackToLatin1()
    {
        Assert.Equal("\u00ffa", Single<TxtRecord>(ZoneFileParser.Parse("""t TXT "\255a" """, "example.com")).Text);
    }

    [Fact]
    public void Parse_MultipleTxtStrings_AreKeptSeparately()
    {
        var r = Single<TxtRecord>(ZoneFileParser.Parse("""@ TXT "v=spf1 " ( "a" "" "-all" )""", "example.com"));
        Assert.Equal(["v=spf1 ", "a", "", "-all"], r.Strings);
        Assert.Equal("v=spf1 a-all", r.Text);
    }

    [Fact]
    public void Parse_UnquotedTxtTokens_AreStrings()
    {
        Assert.Equal(["v=spf1", "mx", "-all"], Single<TxtRecord>(ZoneFileParser.Parse("@ TXT v=spf1 mx -all", "example.com")).Strings);
    }

    [Fact]
    public void Parse_SpfType_IsTxtRecordWithSpfType()
    {
        var r = Single<TxtRecord>(ZoneFileParser.Parse("@ SPF \"v=spf1 -all\"", "example.com"));
        Assert.Equal((DnsRecordType.Spf, "v=spf1 -all"), (r.Type, r.Text));
    }

    [Fact]
    public void Parse_TxtStringOf255Bytes_IsAccepted()
    {
        Assert.Equal(255, Single<TxtRecord>(ZoneFileParser.Parse($"@ TXT \"{new string('x', 255)}\"", "example.com")).Text.Length);
    }

    [Fact]
    public void Parse_EveryStoredType_HasItsFields()
    {
        const string text = """
            $ORIGIN example.com.
            @       NS    ns1
            @       MX    0 .
            v6      AAAA  2001:DB8::1
            www     CNAME @
            1.2.0.192.in-addr.arpa. PTR www
            """;
        var zone = ZoneFileParser.Parse(text);
        Assert.Equal("ns1.example.com", Assert.Single(zone.Records.OfType<NsRecord>()).Target);
        Assert.Equal((ushort)0, Assert.Single(zone.Records.OfType<MxRecord>()).Preference);
        Assert.Equal("", Assert.Single(zone.Records.OfType<MxRecord>()).Exchange);
        Assert.Equal(DnsRecordType.Aaaa, Assert.Single(zone.Records.OfType<AddressRecord>()).Type);
        Assert.Equal("example.com", Assert.Single(zone.Records.OfType<CnameRecord>()).Target);
        Assert.Equal(("1.2.0.192.in-addr.arpa", "www.example.com"),
            Assert.Single(zone.Records.OfType<PtrRecord>()) is var p ? (p.Name, p.Target) : default);
    }

    [Theory]
    [InlineData("DS 12345 13 2 ABCDEF0123")]
    [InlineData("DNSKEY 257 3 13 ( mdsswUyr3DPW132mOi8V9xESWE8jTo0d\n xEjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ== )")]
    [InlineData("RRSIG A 13 2 300 20240101000000 20231201000000 12345 example.com. abc=")]
    [InlineData("NSEC www.example.com. A RRSIG NSEC")]
    [InlineData("NSEC3 1 0 10 AABB 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG")]
    [InlineData("NSEC3PARAM 1 0 10 AABB")]
    [InlineData("CAA 0 issue \"letsencrypt.org\"")]
    [InlineData("SRV 10 5 5060 sip.example.com.")]
    [InlineData("TLSA 3 1 1 0123456789ABCDEF")]
    [InlineData("HTTPS 1 . alpn=h2,h3")]
    [InlineData("SVCB 0 svc.example.net.")]
    [InlineData("TYPE65534 \\# 4 0A000001")]
    public void Parse_OtherKnownTypes_AreSkippedAndListed(string rest)
    {
        var zone = ZoneFileParser.Parse($"@ 300 IN {rest}\n@ A 192.0.2.1", "example.com");
        Assert.IsType<AddressRecord>(Assert.Single(zone.Records));
        Assert.Equal([rest.Split(' ')[0]], zone.SkippedTypes);
    }

    [Fact]
    public void ParseInto_ExistingZone_AddsRecords()
    {
        var zone = new DnsZone();
        zone.Add(new AddressRecord("a.example.com", 1, IPAddress.Loopback));
        ZoneFileParser.ParseInto(zone, "b A 192.0.2.2", "example.com");
        Assert.Equal(2, zone.Count);
    }

    [Fact]
    public void ParseInto_TextWithError_AddsNothing()
    {
        var zone = new DnsZone();
        Assert.Throws<ZoneFileException>(() => ZoneFileParser.ParseInto(zone, "a A 192.0.2.1\nb A x", "example.com"));
        Assert.Equal(0, zone.Count);
    }

    [Fact]
    public void ParseFile_Error_MessageNamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"zone-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "$ORIGIN example.com.\n\n@ TXT \"open\n");
        try
        {
            var e = Assert.Throws<ZoneFileException>(() => ZoneFileParser.ParseFile(path));
            Assert.Equal($"{path}:3:7: quoted string not terminated", e.Message);
            Assert.Equal(path, e.FileName);
            Assert.IsAssignableFrom<FormatException>(e);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ParseFile_ValidFile_ReadsRecords()
    {
        var path = Path.Combine(Path.GetTempPath(), $"zone-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "example.com. 60 IN A 192.0.2.1\r\n");
        try
        {
            Assert.Equal(60u, Single<AddressRecord>(ZoneFileParser.ParseFile(path)).Ttl);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("@ TXT \"abc", 1, 7, "quoted string not terminated")]
    [InlineData("@ TXT \"a\" \"b\nx A 192.0.2.1", 1, 11, "quoted string not terminated")]
    [InlineData("@ A 192.0.2.1\nhost  FOO bar", 2, 7, "unknown record type 'FOO'")]
    [InlineData("@ TXT \"\\256\"", 1, 8, "\\DDD")]
    [InlineData("@ TXT \"\\12\"", 1, 8, "\\DDD")]
    [InlineData("@ TXT abc\\", 1, 10, "'\\' at end of line")]
    [InlineData("@ SOA ns1 host ( 1 2 3 4\n 5", 1, 16, "'(' not closed")]
    [InlineData("@ A 192.0.2.1 )", 1, 15, "')' without matching '('")]
    [InlineData("$INCLUDE other.zone", 1, 1, "$INCLUDE needs a base folder")]
    [InlineData("$GENERATE 1-9 h$ A 192.0.2.$", 1, 1, "unknown directive")]
    [InlineData("$TTL abc", 1, 6, "invalid TTL 'abc'")]
    [InlineData("$TTL 1x", 1, 6, "invalid TTL")]
    [InlineData("$TTL 2147483648", 1, 6, "invalid TTL")]
    [InlineData("$TTL", 1, 6, "missing $TTL value")]
    [InlineData("$TTL 1h 2h", 1, 9, "unexpected '2h'")]
    [InlineData("host 5x A 192.0.2.1", 1, 6, "invalid TTL '5x'")]
    [InlineData("host 5 IN 6 A 192.0.2.1", 1, 11, "TTL given twice")]
    [InlineData("host IN IN A 192.0.2.1", 1, 9, "class given twice")]
    [InlineData("host CH TXT x", 1, 6, "class CH not supported")]
    [InlineData("host 300 IN", 1, 13, "missing record type")]
    [InlineData("host A", 1, 8, "missing IPv4 address")]
    [InlineData("host A 192.0.2.1 192.0.2.2", 1, 18, "unexpected '192.0.2.2'")]
    [InlineData("host\tA 192.0.2", 1, 8, "invalid IPv4 address")]
    [InlineData("host A 256.0.0.1", 1, 8, "invalid IPv4 address")]
    [InlineData("host A 2001:db8::1", 1, 8, "invalid IPv4 address")]
    [InlineData("host A \"192.0.2.1\"", 1, 8, "invalid IPv4 address")]
    [InlineData("host AAAA 192.0.2.1", 1, 11, "invalid IPv6 address")]
    [InlineData("host AAAA fe80::1%eth0", 1, 11, "invalid IPv6 address")]
    [InlineData("host AAAA 2001:db8:::1", 1, 11, "invalid IPv6 address")]
    [InlineData("@ MX ten mail", 1, 6, "invalid MX preference 'ten'")]
    [InlineData("@ MX 65536 mail", 1, 6, "invalid MX preference")]
    [InlineData("@ MX -1 mail", 1, 6, "invalid MX preference")]
    [InlineData("@ MX 10", 1, 9, "missing MX exchange")]
    [InlineData("@ CNAME a..b.", 1, 9, "invalid domain name")]
    [InlineData("@ SOA ns1 host x 1 2 3 4", 1, 16, "invalid SOA serial")]
    [InlineData("@ SOA ns1 host 1 2 3 4 5x", 1, 24, "invalid SOA minimum")]
    [InlineData("@ TXT", 1, 7, "missing TXT string")]
    public void Parse_Error_ReportsLineAndColumn(string text, int line, int column, string reason)
    {
        AssertAt(Fails(text), line, column, reason);
    }

    [Fact]
    public void Parse_TxtStringOver255Bytes_ReportsPosition()
    {
        AssertAt(Fails($"@ TXT ok\n  TXT a \"{new string('é', 128)}\""), 2, 9, "256 bytes");
    }

    [Theory]
    [InlineData("www A 192.0.2.1", 1, 1, "relative name 'www'")]
    [InlineData("example.com. MX 10 mail", 1, 20, "relative name 'mail'")]
    [InlineData("@ A 192.0.2.1", 1, 1, "'@' used before any $ORIGIN")]
    [InlineData("  A 192.0.2.1", 1, 3, "no previous owner")]
    public void Parse_NoOrigin_ReportsLineAndColumn(string text, int line, int column, string reason)
    {
        AssertAt(Fails(text, origin: null), line, column, reason);
    }

    [Fact]
    public async Task Parse_RealisticZone_AnswersThroughZoneDnsResolver()
    {
        const string text = """
            $ORIGIN example.com.
            $TTL 1h
            @   IN  SOA ns1.example.com. hostmaster.example.com. (
                        2024061501 ; serial
                        2h         ; refresh
                        15m        ; retry
                        2w         ; expire
                        5m )       ; negative caching
                IN  NS  ns1
                IN  NS  ns2.example.net.
                IN  MX  10 mx1
                IN  MX  20 mx2.example.net.
                300 IN  TXT "v=spf1 ip4:192.0.2.0/24 " "include:_spf.example.net -all"
                IN  CAA 0 issue "letsencrypt.org"
            ns1     IN  A     192.0.2.53
            mx1     IN  A     192.0.2.25
                    IN  AAAA  2001:db8::25
            www     IN  CNAME mx1
            _dmarc  IN  TXT   ( "v=DMARC1; p=reject; "
                                "rua=mailto:dmarc@example.com" )
            sel1._domainkey IN TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"
            @               IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxEjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
            _sip._tcp       IN SRV 10 60 5060 sip
            """;
        var zone = ZoneFileParser.Parse(text);
        var resolver = new ZoneDnsResolver(zone);

        var spf = await resolver.QueryAsync("EXAMPLE.COM.", DnsRecordType.Txt);
        Assert.Equal("v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all", Assert.Single(spf.Of<TxtRecord>()).Text);
        Assert.Equal(TimeSpan.FromSeconds(300), spf.Ttl);

        var mx = await resolver.QueryAsync("example.com", DnsRecordType.Mx);
        Assert.Equal(["mx1.example.com", "mx2.example.net"], mx.Of<MxRecord>().OrderBy(m => m.Preference).Select(m => m.Exchange));
        Assert.Equal(TimeSpan.FromHours(1), mx.Ttl);

        var www = await resolver.QueryAsync("www.example.com", DnsRecordType.Aaaa);
        Assert.Equal(IPAddress.Parse("2001:db8::25"), Assert.Single(www.Of<AddressRecord>()).Address);

        var dmarc = await resolver.QueryAsync("_dmarc.example.com", DnsRecordType.Txt);
        Assert.Equal("v=DMARC1; p=reject; rua=mailto:dmarc@example.com", Assert.Single(dmarc.Of<TxtRecord>()).Text);

        var soa = Assert.Single((await resolver.QueryAsync("example.com", DnsRecordType.Soa)).Of<SoaRecord>());
        Assert.Equal((2024061501u, 300u), (soa.Serial, soa.Minimum));

        Assert.Equal(DnsStatus.NoData, (await resolver.QueryAsync("_domainkey.example.com", DnsRecordType.Txt)).Status);
        Assert.Equal(DnsStatus.NxDomain, (await resolver.QueryAsync("nope.example.com", DnsRecordType.A)).Status);
        Assert.Equal(["CAA", "DNSKEY", "SRV"], zone.SkippedTypes);
        Assert.Equal(12, zone.Count);
    }
}
