using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dkim;

/// <summary>Keys generated once per test run, and a zone that publishes them.</summary>
internal static class DkimTestKeys
{
    public static readonly DkimPrivateKey Rsa = DkimPrivateKey.Generate(DkimKeyType.Rsa, 2048);
    public static readonly DkimPrivateKey Ed25519 = DkimPrivateKey.Generate(DkimKeyType.Ed25519);

    public static DnsZone Zone(string domain = "example.com")
    {
        var zone = new DnsZone();
        zone.Add(new TxtRecord($"rsa._domainkey.{domain}", 300, DkimKeyRecord.TxtStrings(DkimKeyRecord.TxtValue(Rsa.PublicKey))));
        zone.Add(new TxtRecord($"ed._domainkey.{domain}", 300, DkimKeyRecord.TxtStrings(DkimKeyRecord.TxtValue(Ed25519.PublicKey))));
        return zone;
    }

    public static DkimSigner Signer(DkimCanonicalization header = DkimCanonicalization.Relaxed, DkimCanonicalization body = DkimCanonicalization.Relaxed, bool dual = false, TimeProvider? time = null) =>
        new(new DkimSignerOptions
        {
            Keys = dual ? [new("example.com", "rsa", Rsa), new("example.com", "ed", Ed25519)] : [new("example.com", "rsa", Rsa)],
            HeaderCanonicalization = header,
            BodyCanonicalization = body,
        }, time);

    public static DkimVerifier Verifier(DnsZone? zone = null, DkimVerifierOptions? options = null, TimeProvider? time = null) =>
        new(new ZoneDnsResolver(zone ?? Zone()), options, time);
}
