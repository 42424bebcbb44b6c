using System.Net;
using System.Text;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dns;

/// <summary>RFC 1035 §5.1 escapes in names and character-strings, RFC 3597 generic data, and the text forms of
/// names whose labels hold dots, spaces and other octets (DnsLabels).</summary>
[Trait("Layer", "engine")]
public class ZoneFileEscapeTests
{
    private static DnsRecord One(string text) => Assert.Single(ZoneFileParser.Parse(text, "example.com.").Records);

    private static ZoneFileException Fails(string text) =>
        Assert.Throws<ZoneFileException>(() => ZoneFileParser.Parse(text, "example.com."));

    private static byte[] Octets(string s) => Encoding.Latin1.GetBytes(s);

    [Theory]
    // The issue's names, as Knot, BIND and converters write them.
    [InlineData(@"foo\058bar\047baz.example.com.", "foo:bar/baz.example.com", new[] { "foo:bar/baz", "example", "com" })]
    [InlineData(@"macro\037percent\032\032space.example.com.", "macro%percent  space.example.com", new[] { "macro%percent  space", "example", "com" })]
    // \X: a dot inside a label, a backslash, a space, a quote, parentheses and a semicolon.
    [InlineData(@"a\.b.example.com.", @"a\.b.example.com", new[] { "a.b", "example", "com" })]
    [InlineData(@"back\\slash", @"back\\slash.example.com", new[] { @"back\slash", "example", "com" })]
    [InlineData(@"two\ words", "two words.example.com", new[] { "two words", "example", "com" })]
    [InlineData(@"q\""x\(y\)z\;", "q\"x(y)z;.example.com", new[] { "q\"x(y)z;", "example", "com" })]
    // \DDD of upper-case letters compares as lower case, like every other letter (RFC 4343).
    [InlineData(@"\065BC", "abc.example.com", new[] { "abc", "example", "com" })]
    // Control octets and octets that are not UTF-8 keep a \DDD in the engine's form too.
    [InlineData(@"nul\000tab\009hi\255", @"nul\000tab\009hi\255.example.com", new[] { "nul\0tab\thi\u00ff", "example", "com" })]
    public void Parse_EscapedOwner_KeepsTheLabelOctets(string owner, string text, string[] labels)
    {
        var record = One($"{owner} A 192.0.2.1");
        Assert.Equal(text, record.Name);
        Assert.Equal(labels.Select(Octets), DnsLabels.Labels(record.Name));
    }

    [Fact]
    public void Parse_EscapedNamesInData_AreLabelsToo()
    {
        var zone = ZoneFileParser.Parse("""
            @ MX 10 mail\.relay
            www CNAME host\032one.example.net.
            @ NS ns\0461.example.net.
            @ SOA ns\.1 host\\master 1 2 3 4 5
            """, "example.com.");
        Assert.Equal(@"mail\.relay.example.com", zone.Records.OfType<MxRecord>().Single().Exchange);
        Assert.Equal("host one.example.net", zone.Records.OfType<CnameRecord>().Single().Target);
        Assert.Equal(@"ns\.1.example.net", zone.Records.OfType<NsRecord>().Single().Target);
        var soa = zone.Records.OfType<SoaRecord>().Single();
        Assert.Equal((@"ns\.1.example.com", @"host\\master.example.com"), (soa.PrimaryServer, soa.Mailbox));
    }

    [Fact]
    public async Task ZoneDnsResolver_EscapedDotInLabel_IsNotAnAncestor()
    {
        var resolver = new ZoneDnsResolver(ZoneFileParser.Parse(@"a\.b TXT one", "example.com."));
        Assert.Equal(DnsStatus.NoError, (await resolver.QueryAsync(@"a\.b.example.com", DnsRecordType.Txt)).Status);
        // "b.example.com" would be an ancestor if the escaped dot separated labels: it does not exist.
        Assert.Equal(DnsStatus.NxDomain, (await resolver.QueryAsync("b.example.com", DnsRecordType.Txt)).Status);
        Assert.Equal(DnsStatus.NoData, (await resolver.QueryAsync("example.com", DnsRecordType.Txt)).Status);
    }

    [Fact]
    public async Task ZoneDnsResolver_NameWithSpaces_AnswersTheNameSpfExpandsTo()
    {
        // %{..} expansion with %% and %_ gives literal percent signs and spaces (RFC 7208 §7.1); the query uses them as they are.
        var resolver = new ZoneDnsResolver(ZoneFileParser.Parse(@"macro\037percent\032\032space TXT ok", "example.com."));
        var answer = await resolver.QueryAsync("macro%percent  space.example.com", DnsRecordType.Txt);
        Assert.Equal("ok", Assert.Single(answer.Of<TxtRecord>()).Text);
    }

    [Theory]
    [InlineData("\"semi;colon and (parens)\"", new[] { "semi;colon and (parens)" })]
    [InlineData("\"tab\\009and\\010newline\"", new[] { "tab\tand\nnewline" })]
    [InlineData("un\\\"quoted\\ word", new[] { "un\"quoted word" })]
    [InlineData("\"\" \"\\\\\" \\;", new[] { "", "\\", ";" })]
    [InlineData("( \"first\"\n   \"second\" ) ; comment", new[] { "first", "second" })]
    public void Parse_CharacterStrings_DecodeEveryEscape(string data, string[] strings)
    {
        Assert.Equal(strings, Assert.IsType<TxtRecord>(One($"t TXT {data}")).Strings);
    }

    [Fact]
    public void Parse_QuotedStringWithParenthesisAndSemicolon_DoesNotOpenAGroupOrComment()
    {
        var zone = ZoneFileParser.Parse("a TXT \"(\" \";\"\nb TXT \")\"\n", "example.com.");
        Assert.Equal(2, zone.Count);
    }

    [Theory]
    [InlineData(@"bad\25", 4, "\\DDD")]
    [InlineData(@"bad\256", 4, "\\DDD")]
    [InlineData(@"a..b", 1, "empty label")]
    public void Parse_BadEscapeInName_IsATypedErrorAtTheEscapeOrName(string owner, int column, string reason)
    {
        var e = Fails($"{owner} A 192.0.2.1");
        Assert.Equal((1, column), (e.Line, e.Column));
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LabelOf63Octets_IsReadAnd64IsRefused()
    {
        // 21 \DDD escapes are 84 characters but 21 octets: the limit counts octets.
        var ok = string.Concat(Enumerable.Repeat(@"\065", 21)) + new string('b', 42);
        Assert.Equal(new string('a', 21) + new string('b', 42) + ".example.com", One($"{ok} A 192.0.2.1").Name);
        Assert.Contains("63", Fails($"{ok}c A 192.0.2.1").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NameOf255OctetsOnTheWire_IsReadAnd256IsRefused()
    {
        // 3 labels of 63 octets, one of 53, "example" and "com": 3*64 + 54 + 8 + 4 + 1 = 259 > 255; 49 gives 255.
        var l63 = new string('a', 63);
        string Owner(int last) => $"{l63}.{l63}.{l63}.{new string('b', last)}";
        Assert.Equal(255, DnsLabels.WireLength(DnsLabels.Labels(One($"{Owner(49)} A 192.0.2.1").Name)));
        Assert.Contains("256 octets", Fails($"{Owner(50)} A 192.0.2.1").Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(@"TYPE1 \# 4 C0000201", typeof(AddressRecord))]
    [InlineData(@"A \# 4 C0 00 02 01", typeof(AddressRecord))]
    [InlineData(@"AAAA \# 16 20010db8000000000000000000000001", typeof(AddressRecord))]
    [InlineData(@"TYPE16 \# 6 0568656C6C6F", typeof(TxtRecord))]
    [InlineData(@"MX \# 8 000A046D61696C00", typeof(MxRecord))]
    [InlineData(@"CNAME \# 7 03612E62016300", typeof(CnameRecord))]
    [InlineData(@"CLASS1 TXT \# 0", null)]
    public void Parse_GenericRdata_DecodesStoredTypes(string rest, Type? type)
    {
        if (type is null)
        {
            // An empty TXT is no RDATA a TXT may have (at least one character-string).
            Assert.Contains("TXT data ends", Fails($"g {rest}").Reason, StringComparison.Ordinal);
            return;
        }
        var record = One($"g {rest}");
        Assert.IsType(type, record);
        switch (record)
        {
            case AddressRecord a when a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork:
                Assert.Equal(IPAddress.Parse("192.0.2.1"), a.Address);
                break;
            case TxtRecord t:
                Assert.Equal(["hello"], t.Strings);
                break;
            case MxRecord m:
                Assert.Equal((10, "mail"), (m.Preference, m.Exchange));
                break;
            case CnameRecord c:
                Assert.Equal(@"a\.b.c", c.Target);
                break;
        }
    }

    [Theory]
    [InlineData(@"TYPE65534 \# 3 0A0B", "2 octets of hex data where 3 were announced")]
    [InlineData(@"TYPE65534 \# 2 0A0", "1.5 octets of hex data where 2")]
    [InlineData(@"TYPE65534 \# 1 0A0B", "more hex data")]
    [InlineData(@"TYPE65534 \# 2 0G0B", "not hex")]
    [InlineData(@"TYPE65534 \# 65536 00", "invalid RDATA length")]
    [InlineData(@"TYPE65534 AB", "RFC 3597")]
    [InlineData(@"TYPE70000 \# 0", "unknown record type")]
    [InlineData(@"A \# 3 C00002", "A data of 3 octets")]
    [InlineData(@"MX \# 3 000A05", "runs past")]
    [InlineData(@"CNAME \# 3 C00C00", "compressed")]
    [InlineData(@"CNAME \# 3 00AABB", "octets after the end")]
    public void Parse_BadGenericRdata_IsATypedError(string rest, string reason)
    {
        Assert.Contains(reason, Fails($"g {rest}").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_GenericSkippedTypes_AreListedUnderTheirMnemonic()
    {
        var zone = ZoneFileParser.Parse("@ TYPE257 \\# 3 000000\n@ TYPE65534 \\# 0\n@ A 192.0.2.1", "example.com.");
        Assert.Equal(["CAA", "TYPE65534"], zone.SkippedTypes);
    }

    [Theory]
    [InlineData(@"foo\058bar\047baz.example.com", @"foo\:bar/baz.example.com.")]
    [InlineData("macro%percent  space.example.com", @"macro\%percent\032\032space.example.com.")]
    [InlineData(@"a\.b\\c.example", @"a\.b\\c.example.")]
    [InlineData("q\"(;)@$.example", @"q\""\(\;\)\@\$.example.")]
    [InlineData("_dmarc.*.a-b/c.example", "_dmarc.*.a-b/c.example.")]
    [InlineData("café.example", @"caf\195\169.example.")]
    [InlineData("", ".")]
    public void ToMasterFile_EscapesWhatAReaderTreatsSpecially(string name, string written)
    {
        Assert.Equal(written, DnsLabels.ToMasterFile(name));
        // And our reader gets the same octets back.
        Assert.Equal(DnsLabels.Labels(name), DnsLabels.Labels(written));
    }

    [Fact]
    public void ToText_EveryOctet_RoundTripsThroughBothForms()
    {
        var label = Enumerable.Range(0, 63).Select(i => (byte)(i * 4 + 1)).ToArray();
        var labels = new List<byte[]> { label, Enumerable.Range(0, 63).Select(i => (byte)(255 - i * 4)).ToArray(), "x"u8.ToArray() };
        var lowered = labels.Select(l => l.Select(b => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b).ToArray()).ToList();
        Assert.Equal(lowered, DnsLabels.Labels(DnsLabels.ToText(labels)));
        Assert.Equal(lowered, DnsLabels.Labels(DnsLabels.ToMasterFile(labels)));
        Assert.True(System.Text.Ascii.IsValid(DnsLabels.ToMasterFile(labels)));
    }

    [Theory]
    [InlineData(@"a\.b.example.com", "example.com", true)]
    [InlineData(@"a\.b.example.com", "b.example.com", false)]
    [InlineData(@"x.a\.b.example.com", @"a\.b.example.com", true)]
    [InlineData(@"a\\.example.com", "example.com", true)]
    public void IsSubdomainOf_EscapedDot_IsNotALabelBoundary(string name, string parent, bool below)
    {
        Assert.Equal(below, DnsName.IsSubdomainOf(name, parent));
    }

    [Theory]
    [InlineData(@"a\.b.example.com", true)]
    [InlineData(@"macro%percent  space.example.com", true)]
    [InlineData(@"bad\2.example", false)]
    public void IsValid_EscapedNames_CountOctets(string name, bool valid)
    {
        Assert.Equal(valid, DnsName.IsValid(name));
    }
}
