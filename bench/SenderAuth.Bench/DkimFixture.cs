using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Bench;

/// <summary>
/// What every DKIM contender shares: the signing identity, the two message files of bench/data, and keys
/// written as PEM into a temp folder at bench time (private keys are never committed; every contender in a
/// run reads the same files).
/// </summary>
public static class DkimFixture
{
    public const string Domain = "mosamuseum.com";

    public static readonly string[] Messages = ["transactional-2k", "marketing-20k"];

    public static string Selector(DkimKeyType type) => type == DkimKeyType.Rsa ? "rsa2026" : "ed2026";

    public static string KeyFileName(DkimKeyType type) => type == DkimKeyType.Rsa ? "rsa2048.pem" : "ed25519.pem";

    /// <summary>The fixture bytes, embedded in the assembly so BenchmarkDotNet's child process finds them.</summary>
    public static byte[] Message(string name)
    {
        using var stream = typeof(DkimFixture).Assembly.GetManifestResourceStream(name + ".eml")
            ?? throw new InvalidOperationException($"no embedded fixture {name}.eml");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// Writes rsa2048.pem, ed25519.pem (PKCS#8) and keys.txt, libopendkim's DKIM_QUERY_FILE format
    /// ("selector._domainkey.domain TXT-value" per line).
    /// </summary>
    public static void WriteKeys(string folder)
    {
        Directory.CreateDirectory(folder);
        var lines = new List<string>();
        foreach (var type in new[] { DkimKeyType.Rsa, DkimKeyType.Ed25519 })
        {
            using var key = DkimPrivateKey.Generate(type);
            File.WriteAllText(Path.Combine(folder, KeyFileName(type)), key.ExportPem());
            lines.Add($"{Selector(type)}._domainkey.{Domain} {DkimKeyRecord.TxtValue(key.PublicKey)}");
        }
        File.WriteAllLines(Path.Combine(folder, "keys.txt"), lines);
    }

    public static DkimSigner Signer(DkimPrivateKey key) =>
        new(new DkimSignerOptions { Keys = [new DkimSigningKey(Domain, Selector(key.KeyType), key)] });

    /// <summary>A verifier whose DNS answers the key record from memory (parsed once, then cached by text).</summary>
    public static DkimVerifier Verifier(params DkimPublicKey[] keys) => new(new ZoneDnsResolver(Zone(keys)));

    /// <summary>A receiver for full verification: the keys, an ESP-style SPF policy and a p=reject DMARC record.</summary>
    public static SenderAuth.AuthenticationResults.MessageVerifier MessageVerifier(params DkimPublicKey[] keys)
    {
        var zone = Zone(keys);
        zone.Add(new TxtRecord(Domain, 300, ["v=spf1 include:spf.ticketing.example ~all"]));
        zone.Add(new TxtRecord("spf.ticketing.example", 300, ["v=spf1 ip4:203.0.113.0/24 ip4:192.0.2.0/24 ip6:2001:db8:25::/48 -all"]));
        zone.Add(new TxtRecord("_dmarc." + Domain, 300, ["v=DMARC1; p=reject; rua=mailto:dmarc@" + Domain]));
        return new SenderAuth.AuthenticationResults.MessageVerifier(new ZoneDnsResolver(zone),
            new SenderAuth.AuthenticationResults.MessageVerifierOptions { AuthServId = "mx.bench.example" });
    }

    private static DnsZone Zone(DkimPublicKey[] keys)
    {
        var zone = new DnsZone();
        foreach (var key in keys)
        {
            var name = $"{Selector(key.KeyType)}._domainkey.{Domain}";
            zone.Add(new TxtRecord(name, 300, DkimKeyRecord.TxtStrings(DkimKeyRecord.TxtValue(key))));
        }
        return zone;
    }

    /// <summary>Verifies once and throws unless every signature passes: a benchmark of a failure is worthless.</summary>
    public static async Task CheckPassAsync(DkimVerifier verifier, ReadOnlyMemory<byte> signed)
    {
        var result = await verifier.VerifyAsync(signed).ConfigureAwait(false);
        if (result.Signatures.Count == 0 || result.Signatures.Any(s => s.Result != DkimResult.Pass))
        {
            var detail = string.Join("; ", result.Signatures.Select(s => $"{s.Result.Token()}: {s.Detail}"));
            throw new InvalidOperationException($"the signed message does not verify: {(detail.Length == 0 ? "no signature" : detail)}");
        }
    }
}
