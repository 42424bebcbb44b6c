using Microsoft.Extensions.Time.Testing;
using SenderAuth.Dns;
using SenderAuth.Dns.DnsSec;

namespace SenderAuth.Tests.Dns.DnsSec;

/// <summary>
/// The validator on zones signed in the test (keys of each algorithm made here), answered by a fake transport, so every
/// failure can be built exactly: the anchor is example. (as a DS), child.example. is signed with a DS, plain.example.
/// is an unsigned delegation proven by a signed NSEC.
/// </summary>
[Trait("Layer", "engine")]
public sealed class DnssecValidatorTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset From = Now.AddDays(-10);
    private static readonly DateTimeOffset Until = Now.AddDays(20);
    private readonly List<TestKey> _keys = [];
    private readonly FakeTransport _dns = new();

    public void Dispose()
    {
        foreach (var k in _keys)
        {
            k.Dispose();
        }
    }

    private TestKey Key(string zone, byte algorithm, ushort flags = 257)
    {
        var k = new TestKey(zone, algorithm, flags);
        _keys.Add(k);
        return k;
    }

    /// <summary>Serves a signed RRset (answer section), or unsigned when <paramref name="signer"/> is null.</summary>
    private void Signed(string name, ushort type, TestKey? signer, params WireRecord[] rrset) =>
        _dns.Add(name, type, signer is null ? rrset : [.. rrset, signer.Sign(rrset, From, Until)]);

    /// <summary>Serves an empty answer whose authority section is the zone's SOA and the given proofs, each signed.</summary>
    private void Denied(string name, ushort type, TestKey zone, int rcode = 0, params WireRecord[] proofs) =>
        _dns.Add(name, type, [], [.. new[] { Rr.Soa(zone.Dnskey.Owner.Text) }.Concat(proofs).SelectMany(r => new[] { r, zone.Sign([r], From, Until) })], rcode);

    private DnssecValidator Validator(TrustAnchors anchors) => new(_dns, anchors, new FakeTimeProvider(Now));

    private static TrustAnchors AnchorDs(TestKey key) => TrustAnchors.Parse(
        $"{key.Dnskey.Owner}. IN DS {key.KeyTag} {key.Algorithm} 2 {Convert.ToHexString(DnssecCanonical.DsDigest(key.Dnskey, 2)!)}");

    /// <summary>example. (anchor, key of the algorithm), child.example. (its own key, DS in example.), plain.example. (no DS, NSEC proof).</summary>
    private (TestKey Parent, TestKey Child) Tree(byte algorithm = 13, byte childAlgorithm = 13)
    {
        var parent = Key("example", algorithm);
        var child = Key("child.example", childAlgorithm);
        Signed("example", DnssecTypes.Dnskey, parent, parent.Record);
        Signed("www.example", DnssecTypes.Txt, parent, Rr.Txt("www.example", "v=spf1 -all"));
        Signed("child.example", DnssecTypes.Ds, parent, child.Ds());
        Signed("child.example", DnssecTypes.Dnskey, child, child.Record);
        Signed("child.example", DnssecTypes.Txt, child, Rr.Txt("child.example", "v=spf1 -all"));
        Denied("plain.example", DnssecTypes.Ds, parent, proofs: Rr.Nsec("plain.example", "www.example", DnssecTypes.Ns));
        _dns.Add("plain.example", DnssecTypes.Txt, [Rr.Txt("plain.example", "v=spf1 -all")]);
        _dns.Add("plain.example", DnssecTypes.Soa, [Rr.Soa("plain.example")]);
        return (parent, child);
    }

    private static string Describe(DnssecValidation v) => $"{v.Status} {v.Reason.Token()} {v.Zone} signed={v.ZoneSigned}";

    [Theory]
    [InlineData((byte)8)]
    [InlineData((byte)10)]
    [InlineData((byte)13)]
    [InlineData((byte)14)]
    [InlineData((byte)15)]
    public async Task ValidateAsync_EachAlgorithm_Secure(byte algorithm)
    {
        var (parent, _) = Tree(algorithm, algorithm);
        var validator = Validator(AnchorDs(parent));
        var www = await validator.ValidateAsync("www.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        var child = await validator.ValidateAsync("child.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal(("Secure  example signed=True", "Secure  child.example signed=True"), (Describe(www), Describe(child)));
    }

    [Theory]
    [InlineData((byte)8)]
    [InlineData((byte)10)]
    [InlineData((byte)13)]
    [InlineData((byte)14)]
    [InlineData((byte)15)]
    public async Task ValidateAsync_AlteredRdata_BadSignature(byte algorithm)
    {
        var (parent, _) = Tree(algorithm);
        var rrset = new[] { Rr.Txt("www.example", "v=spf1 -all") };
        // The signature is over the original text; the answer carries another one.
        _dns.Add("www.example", DnssecTypes.Txt, [Rr.Txt("www.example", "v=spf1 +all"), parent.Sign(rrset, From, Until)]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus bad-signature example signed=True", Describe(v));
        Assert.Equal($"the RRSIG of TXT www.example by key {parent.KeyTag} of example does not verify", v.Detail);
    }

    [Fact]
    public async Task ValidateAsync_ManyFailingSignatures_StopsAtTheVerificationBound()
    {
        // KeyTrap (CVE-2023-50387): signatures × keys sharing a tag would each cost a public-key operation.
        var (parent, _) = Tree();
        var rrset = new[] { Rr.Txt("www.example", "v=spf1 -all") };
        var signatures = Enumerable.Range(0, 40).Select(_ => parent.Sign(rrset, From, Until));
        _dns.Add("www.example", DnssecTypes.Txt, [Rr.Txt("www.example", "v=spf1 +all"), .. signatures]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus bad-signature example signed=True", Describe(v));
        Assert.Contains($"more than {DnssecValidator.MaxVerificationsPerRrset} signature verifications", v.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_ExpiredSignature_SignatureExpired()
    {
        var (parent, _) = Tree();
        var rrset = new[] { Rr.Txt("www.example", "v=spf1 -all") };
        _dns.Add("www.example", DnssecTypes.Txt, [.. rrset, parent.Sign(rrset, Now.AddDays(-30), Now.AddSeconds(-1))]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus signature-expired example signed=True", Describe(v));
        Assert.Equal($"the RRSIG of TXT www.example by key {parent.KeyTag} of example expired at 2026-06-01T11:59:59Z", v.Detail);
    }

    [Fact]
    public async Task ValidateAsync_FutureSignature_SignatureNotYetValid()
    {
        var (parent, _) = Tree();
        var rrset = new[] { Rr.Txt("www.example", "v=spf1 -all") };
        _dns.Add("www.example", DnssecTypes.Txt, [.. rrset, parent.Sign(rrset, Now.AddHours(1), Now.AddDays(30))]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus signature-not-yet-valid example signed=True", Describe(v));
        Assert.Equal($"the RRSIG of TXT www.example by key {parent.KeyTag} of example is not valid before 2026-06-01T13:00:00Z", v.Detail);
    }

    [Fact]
    public async Task ValidateAsync_ExpiredKeySignature_BogusAtTheZoneKeys()
    {
        var parent = Key("example", 13);
        _dns.Add("example", DnssecTypes.Dnskey, [parent.Record, parent.Sign([parent.Record], Now.AddDays(-60), Now.AddDays(-30))]);
        Signed("www.example", DnssecTypes.Txt, parent, Rr.Txt("www.example", "v=spf1 -all"));
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus signature-expired example signed=True", Describe(v));
        Assert.StartsWith("the RRSIG of DNSKEY example by key", v.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_DsOfAnotherKey_DsMismatch()
    {
        var (parent, child) = Tree();
        using var other = new TestKey("child.example", 13);
        Signed("child.example", DnssecTypes.Ds, parent, other.Ds());
        var v = await Validator(AnchorDs(parent)).ValidateAsync("child.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus ds-mismatch child.example signed=True", Describe(v));
        Assert.Equal($"no DNSKEY of child.example (key tags {child.KeyTag}) matches the DS in example (key tags {other.KeyTag})", v.Detail);
    }

    [Fact]
    public async Task ValidateAsync_AnchorDigestWrong_DsMismatch()
    {
        var (parent, _) = Tree();
        var anchors = TrustAnchors.Parse($"example. DS {parent.KeyTag} 13 2 {new string('A', 64)}");
        var v = await Validator(anchors).ValidateAsync("www.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus ds-mismatch example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_AnchorAsDnskey_Secure()
    {
        var (parent, _) = Tree(15);
        var anchors = TrustAnchors.Parse($"example. 3600 IN DNSKEY 257 3 15 {Convert.ToBase64String(parent.Dnskey.PublicKey)}");
        var v = await Validator(anchors).ValidateAsync("child.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Secure  child.example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_SignedByUnknownKey_NoMatchingKey()
    {
        var (parent, _) = Tree();
        using var stranger = new TestKey("example", 13);
        var rrset = new[] { Rr.Txt("www.example", "v=spf1 -all") };
        _dns.Add("www.example", DnssecTypes.Txt, [.. rrset, stranger.Sign(rrset, From, Until)]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus no-matching-key example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_UnsignedDataInSecureZone_MissingRrsig()
    {
        var (parent, _) = Tree();
        _dns.Add("www.example", DnssecTypes.Txt, [Rr.Txt("www.example", "v=spf1 -all")]);
        _dns.Add("www.example", DnssecTypes.Soa, [], [Rr.Soa("example")]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus missing-rrsig example signed=True", Describe(v));
        Assert.Equal("TXT www.example came without an RRSIG, but the zone example has a secure chain of trust", v.Detail);
    }

    [Fact]
    public async Task ValidateAsync_UnsignedDelegationProvenByNsec_InsecureNoDs()
    {
        var (parent, _) = Tree();
        var v = await Validator(AnchorDs(parent)).ValidateAsync("plain.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Insecure no-ds plain.example signed=False", Describe(v));
        Assert.Equal("example proves with a signed NSEC that plain.example has no DS: an unsigned delegation", v.Detail);
    }

    [Fact]
    public async Task ValidateAsync_NoDsWithoutProof_BadDenial()
    {
        var (parent, _) = Tree();
        // The NSEC says a DS exists there: it proves nothing about its absence.
        var nsec = Rr.Nsec("plain.example", "www.example", DnssecTypes.Ns, DnssecTypes.Ds);
        Denied("plain.example", DnssecTypes.Ds, parent, proofs: nsec);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("plain.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus bad-denial example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_UnsignedDenialOfDs_MissingRrsig()
    {
        var (parent, _) = Tree();
        _dns.Add("plain.example", DnssecTypes.Ds, [], [Rr.Soa("example"), Rr.Nsec("plain.example", "www.example", DnssecTypes.Ns)]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("plain.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus missing-rrsig example signed=False", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_SignedChildWithoutDs_InsecureButSigned()
    {
        var (parent, _) = Tree();
        var island = Key("island.example", 13);
        Signed("island.example", DnssecTypes.Dnskey, island, island.Record);
        Signed("island.example", DnssecTypes.Txt, island, Rr.Txt("island.example", "v=spf1 -all"));
        var nsec = Rr.Nsec("island.example", "plain.example", DnssecTypes.Ns);
        Denied("island.example", DnssecTypes.Ds, parent, proofs: nsec);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("island.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Insecure no-ds island.example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_CnameIntoUnsignedZone_InsecureAtTheTarget()
    {
        var (parent, child) = Tree();
        var cname = Rr.Cname("alias.child.example", "plain.example");
        _dns.Add("alias.child.example", DnssecTypes.Txt, [cname, child.Sign([cname], From, Until), Rr.Txt("plain.example", "v=spf1 -all")]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("alias.child.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Insecure no-ds plain.example signed=False", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_CnameLeavingTheAnswer_TargetAskedAgain()
    {
        var (parent, child) = Tree();
        var cname = Rr.Cname("alias.child.example", "www.example");
        _dns.Add("alias.child.example", DnssecTypes.Txt, [cname, child.Sign([cname], From, Until)]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("alias.child.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Secure  child.example signed=True", Describe(v));
        Assert.Contains("TXT www.example", _dns.Queries);
    }

    [Fact]
    public async Task ValidateAsync_NodataProvenByNsec_Secure()
    {
        var (parent, _) = Tree();
        var nsec = Rr.Nsec("www.example", "example", DnssecTypes.Txt);
        Denied("www.example", 1, parent, proofs: nsec);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.example", 1, TestContext.Current.CancellationToken);
        Assert.Equal("Secure  example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_NodataClaimedForExistingType_BadDenial()
    {
        var (parent, _) = Tree();
        var nsec = Rr.Nsec("www.example", "example", DnssecTypes.Txt);
        Denied("www.example", DnssecTypes.Txt, parent, proofs: nsec);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus bad-denial example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_NxdomainProvenByNsec_Secure()
    {
        var (parent, _) = Tree();
        // "nope.example" falls between child.example and plain.example; "*.example" between example and child.example.
        var cover = Rr.Nsec("child.example", "plain.example", DnssecTypes.Ns, DnssecTypes.Ds);
        var apex = Rr.Nsec("example", "child.example", DnssecTypes.Soa, DnssecTypes.Ns, DnssecTypes.Dnskey);
        Denied("nope.example", DnssecTypes.Txt, parent, rcode: 3, cover, apex);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("nope.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Secure  example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_WildcardWithoutProof_BadDenial()
    {
        var (parent, _) = Tree();
        var rrset = new[] { Rr.Txt("any.example", "v=spf1 -all") };
        // Signed as *.example (labels 1) but with no NSEC proving any.example itself does not exist.
        _dns.Add("any.example", DnssecTypes.Txt, [.. rrset, parent.Sign(rrset, From, Until, labels: 1)]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("any.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus bad-denial example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_NameOutsideEveryAnchor_Indeterminate()
    {
        var (parent, _) = Tree();
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.elsewhere", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Indeterminate no-trust-anchor  signed=False", Describe(v));
        Assert.Empty(_dns.Queries);
    }

    [Fact]
    public async Task ValidateAsync_NoAnswer_Indeterminate()
    {
        var (parent, _) = Tree();
        var v = await Validator(AnchorDs(parent)).ValidateAsync("missing.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal((DnssecStatus.Indeterminate, DnssecReason.NoAnswer), (v.Status, v.Reason));
    }

    [Fact]
    public async Task ValidateAsync_OnlySha1Ds_UsedWhenNoStrongerDigest()
    {
        var (parent, child) = Tree();
        Signed("child.example", DnssecTypes.Ds, parent, child.Ds(1));
        var v = await Validator(AnchorDs(parent)).ValidateAsync("child.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Secure  child.example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_Sha1DsBesideWrongSha256_NotUsed()
    {
        var (parent, child) = Tree();
        var wrong = child.Ds();
        wrong.Data[^1] ^= 1;
        // RFC 4509 §3: the good SHA-1 DS is ignored because a SHA-256 DS is present.
        Signed("child.example", DnssecTypes.Ds, parent, child.Ds(1), wrong);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("child.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus ds-mismatch child.example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_RevokedKey_NotTrusted()
    {
        var parent = Key("example", 13, flags: 257 | 0x80);
        Signed("example", DnssecTypes.Dnskey, parent, parent.Record);
        Signed("www.example", DnssecTypes.Txt, parent, Rr.Txt("www.example", "v=spf1 -all"));
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal("Bogus ds-mismatch example signed=True", Describe(v));
    }

    [Fact]
    public async Task ValidateAsync_SameZoneKeys_AskedOnce()
    {
        var (parent, _) = Tree();
        var validator = Validator(AnchorDs(parent));
        await validator.ValidateAsync("child.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        await validator.ValidateAsync("child.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal(1, _dns.Queries.Count(q => q == "DNSKEY child.example"));
        Assert.Equal(1, _dns.Queries.Count(q => q == "DS child.example"));
    }

    [Fact]
    public async Task ValidateAsync_ServerNamesTheZoneAsItsOwnParent_IndeterminateNotHang()
    {
        var (parent, child) = Tree();
        Signed("www.child.example", DnssecTypes.Txt, child, Rr.Txt("www.child.example", "x"));
        _dns.Add("child.example", DnssecTypes.Ds, [], [Rr.Soa("child.example")]);
        _dns.Add("example", DnssecTypes.Soa, [Rr.Soa("child.example")]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("www.child.example", DnssecTypes.Txt, TestContext.Current.CancellationToken)
            .AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal((DnssecStatus.Indeterminate, "the zone above child.example was not found"), (v.Status, v.Detail));
    }

    [Fact]
    public async Task ValidateAsync_TimeoutForZoneKeys_NotKept()
    {
        var (parent, _) = Tree();
        var validator = Validator(AnchorDs(parent));
        var other = Key("other.example", 13);
        Signed("other.example", DnssecTypes.Dnskey, other, other.Record);
        Signed("other.example", DnssecTypes.Txt, other, Rr.Txt("other.example", "x"));
        // No answer for the DS yet (a timeout), then one.
        var first = await validator.ValidateAsync("other.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Signed("other.example", DnssecTypes.Ds, parent, other.Ds());
        var second = await validator.ValidateAsync("other.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal((DnssecStatus.Indeterminate, "no answer for DS other.example", DnssecStatus.Secure), (first.Status, first.Detail, second.Status));
    }

    [Fact]
    public async Task ValidateAsync_ResolverStripsRrsigs_IndeterminateNotBogus()
    {
        var (parent, _) = Tree();
        // A resolver that ignores DO: no RRSIG anywhere, not even on the anchor zone's keys.
        _dns.Add("example", DnssecTypes.Dnskey, [parent.Record]);
        _dns.Add("child.example", DnssecTypes.Txt, [Rr.Txt("child.example", "v=spf1 -all")]);
        _dns.Add("child.example", DnssecTypes.Soa, [Rr.Soa("child.example")]);
        _dns.Add("child.example", DnssecTypes.Ds, [parent.Ds()]);
        _dns.Add("example", DnssecTypes.Soa, [Rr.Soa("example")]);
        var v = await Validator(AnchorDs(parent)).ValidateAsync("child.example", DnssecTypes.Txt, TestContext.Current.CancellationToken);
        Assert.Equal((DnssecStatus.Indeterminate, "DNSKEY example came without any RRSIG: the resolver does not pass DNSSEC records; ask one that does (--resolver)"),
            (v.Status, v.Detail));
    }
}
