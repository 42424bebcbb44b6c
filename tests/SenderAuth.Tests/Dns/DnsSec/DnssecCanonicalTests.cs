using System.Buffers.Binary;
using SenderAuth.Dns.DnsSec;

namespace SenderAuth.Tests.Dns.DnsSec;

/// <summary>Canonical form (RFC 4034 §6), key tags and DS digests (against the root's published anchors), wire parsing.</summary>
[Trait("Layer", "engine")]
public class DnssecCanonicalTests
{
    // The root's KSKs as Debian's dns-root-data 2024071801 ships them (/usr/share/dns/root.key), from IANA's root-anchors.xml.
    private const string Ksk2017 = "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=";
    private const string Ksk2024 = "AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/cidltpkyGwCJNnOAlFNKF2jBosZBU5eeHspaQWOmOElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+siFUiRAAxm9qyJNg/wOZqqzL/dL/q8PkcRU5oUKEpUge71M3ej2/7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+u1TQNatX2XBuzZNQ1K+s2CXkPIZo7s6JgZyvaBevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayffKC73PYc=";

    [Theory]
    [InlineData(Ksk2017, 20326)]
    [InlineData(Ksk2024, 38696)]
    public void RootKsk_KeyTagAndDigest_MatchTheEmbeddedRootDs(string key, int tag)
    {
        var anchors = TrustAnchors.Parse($". IN DNSKEY 257 3 8 {key}");
        var dnskey = Assert.Single(anchors.For(WireName.Root).Keys);
        var ds = Assert.Single(TrustAnchors.Root.For(WireName.Root).Ds, d => d.KeyTag == tag);
        Assert.Equal(tag, dnskey.KeyTag);
        Assert.Equal(Convert.ToHexString(ds.Digest), Convert.ToHexString(DnssecCanonical.DsDigest(dnskey, 2)!));
    }

    [Fact]
    public void Root_HasBothKsks()
    {
        Assert.Equal([20326, 38696], TrustAnchors.Root.For(WireName.Root).Ds.Select(d => (int)d.KeyTag));
        Assert.All(TrustAnchors.Root.For(WireName.Root).Ds, d => Assert.Equal((8, 2), (d.Algorithm, d.DigestType)));
    }

    [Fact]
    public void CompareTo_Rfc4034Section61Example_CanonicalOrder()
    {
        // RFC 4034 §6.1, in order (the \001 and \200 labels written as their octets).
        string[] ordered = ["example", "a.example", "yljkjljk.a.example", "Z.a.example", "zABC.a.EXAMPLE", "z.example", "\u0001.z.example", "*.z.example", "\u00c8.z.example"];
        var names = ordered.Select(WireName.Parse).ToList();
        var shuffled = names.AsEnumerable().Reverse().ToList();
        shuffled.Sort();
        Assert.Equal(names.Select(n => n.Text), shuffled.Select(n => n.Text));
    }

    [Fact]
    public void SignedData_MixedCaseAndUnsorted_CanonicalForm()
    {
        var owner = WireName.Parse("WWW.Example");
        byte[] rdataB = [.. Rr.NameWire("B.Example", keepCase: true)];
        byte[] rdataA = [.. Rr.NameWire("a.example", keepCase: true)];
        // Two NS records, the second sorting first, each twice (duplicates go), names in mixed case.
        var rrset = new[]
        {
            new WireRecord(owner, 2, 1, 999, rdataB), new WireRecord(owner, 2, 1, 999, rdataA), new WireRecord(owner, 2, 1, 999, rdataB),
        };
        var prefix = new byte[18 + 9];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, 2);
        prefix[2] = 13;
        prefix[3] = 2;
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(4), 300);
        Rr.NameWire("example").CopyTo(prefix, 18);
        var rrsig = RrsigData.Read(owner, [.. prefix, 0]);
        var data = DnssecCanonical.SignedData(rrsig, rrset);
        byte[] Record(string target) =>
        [
            .. Rr.NameWire("www.example"), 0, 2, 0, 1, 0, 0, 1, 44, 0, (byte)Rr.NameWire(target).Length, .. Rr.NameWire(target),
        ];
        Assert.Equal(Convert.ToHexString([.. prefix, .. Record("a.example"), .. Record("b.example")]), Convert.ToHexString(data));
    }

    [Fact]
    public void SignedData_WildcardLabels_OwnerIsTheWildcard()
    {
        var rrset = new[] { Rr.Txt("a.b.example", "x") };
        var rrsig = RrsigData.Read(rrset[0].Owner, [0, 16, 13, 2, 0, 0, 1, 44, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .. Rr.NameWire("example"), 0]);
        var data = DnssecCanonical.SignedData(rrsig, rrset);
        Assert.Equal(Convert.ToHexString(Rr.NameWire("*.b.example")), Convert.ToHexString(data.AsSpan(18 + 9, Rr.NameWire("*.b.example").Length)));
    }

    [Fact]
    public void Rdata_TxtKeepsCase_CnameLowered()
    {
        var txt = Rr.Txt("x.example", "MiXeD");
        Assert.Equal(txt.Data, DnssecCanonical.Rdata(16, txt.Data));
        Assert.Equal(Rr.NameWire("target.example"), DnssecCanonical.Rdata(5, Rr.NameWire("TarGet.Example", keepCase: true)));
    }

    [Fact]
    public void Parse_CompressedCnameAndMixedCaseOwner_DecompressedRdataLowerOwner()
    {
        // Header, question www.Example. TXT, answer: pointer to the question name, CNAME to "b" + pointer to "Example".
        byte[] msg =
        [
            0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
            3, (byte)'w', (byte)'w', (byte)'w', 7, (byte)'E', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 0, 0, 16, 0, 1,
            0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, (byte)'B', 0xC0, 16,
        ];
        var m = WireMessage.Parse(msg);
        var r = Assert.Single(m.Answers);
        Assert.Equal(("www.example", (ushort)5, 60u), (r.Owner.Text, r.Type, r.Ttl));
        Assert.Equal(Convert.ToHexString(Rr.NameWire("B.Example", keepCase: true)), Convert.ToHexString(r.Data));
    }

    [Theory]
    [InlineData(new byte[] { 0x12, 0x34, 0x81, 0x80, 0, 1 })]
    [InlineData(new byte[] { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 16, 0, 1 })]
    [InlineData(new byte[] { 0x12, 0x34, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 16, 0, 1, 0, 0, 0, 1, 0, 9, 1 })]
    public void Parse_Malformed_FormatException(byte[] msg) => Assert.Throws<FormatException>(() => WireMessage.Parse(msg));

    [Fact]
    public void Nsec3Hash_Rfc5155AppendixA_Example()
    {
        // RFC 5155 Appendix A: salt aabbccdd, 12 iterations; "example" hashes to 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.
        var hash = DnssecCanonical.Nsec3Hash(WireName.Parse("example"), 1, 12, Convert.FromHexString("AABBCCDD"))!;
        Assert.Equal("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", Base32Hex.Encode(hash));
        Assert.Equal(hash, Base32Hex.TryDecode("0P9MHAVEQVM6T7VBL5LOP2U3T2RP3TOM"u8));
    }

    [Theory]
    [InlineData((byte)8, new byte[] { 1 })]
    [InlineData((byte)8, new byte[] { 0, 0, 0, 5 })]
    [InlineData((byte)13, new byte[] { 1, 2, 3 })]
    [InlineData((byte)14, new byte[] { 1, 2, 3 })]
    [InlineData((byte)15, new byte[] { 1, 2, 3 })]
    [InlineData((byte)5, new byte[] { 1, 1, 1, 1 })]
    public void Verify_MalformedKeyOrUnsupportedAlgorithm_FalseNoThrow(byte algorithm, byte[] key) =>
        Assert.False(DnssecAlgorithms.Verify(algorithm, key, [1, 2, 3], new byte[64]));

    [Theory]
    [InlineData((byte)8)]
    [InlineData((byte)13)]
    [InlineData((byte)15)]
    public void Verify_TruncatedSignature_False(byte algorithm)
    {
        using var key = new TestKey("example", algorithm);
        var rrset = new[] { Rr.Txt("example", "x") };
        var rrsig = key.Sign(rrset, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
        var sig = RrsigData.Read(rrsig.Owner, rrsig.Data);
        var data = DnssecCanonical.SignedData(sig, rrset);
        Assert.True(DnssecAlgorithms.Verify(algorithm, key.Dnskey.PublicKey, data, sig.Signature));
        Assert.False(DnssecAlgorithms.Verify(algorithm, key.Dnskey.PublicKey, data, sig.Signature[..^1]));
    }
}
