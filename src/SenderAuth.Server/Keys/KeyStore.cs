using SenderAuth.Dkim;

namespace SenderAuth.Server.Keys;

/// <summary>Creates and opens DKIM key rows; the private half exists in clear only in memory, inside this service.</summary>
public sealed class KeyStore(KeyProtector protector, TimeProvider time)
{
    /// <summary>A fresh key; the RSA size is checked at start against the quotas (SenderAuth:Provider:RsaBits).</summary>
    public DkimKey Generate(long? institutionId, string selector, string targetName, DkimKeyType type, int rsaBits)
    {
        using var key = DkimPrivateKey.Generate(type, rsaBits);
        return Row(institutionId, selector, targetName, key, imported: false);
    }

    /// <summary>
    /// Bring-your-own key: a PEM private key of the <paramref name="type"/> the selector signs with, RSA within the
    /// quotas' sizes (1024, RFC 8301's floor, to 4096 by default) or Ed25519. The size is read from the parsed key, so
    /// a huge modulus is refused before it signs anything.
    /// </summary>
    /// <exception cref="FormatException">Not a usable key, or not of that type; the message says why.</exception>
    public DkimKey Import(long institutionId, string selector, string targetName, string pem, DkimKeyType type, QuotaOptions quotas)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        using var key = DkimPrivateKey.FromPem(pem);
        if (key.KeyType != type)
        {
            // The RSA selectors' key signs the signature DMARC relies on everywhere (a= rsa-sha256); an Ed25519 key
            // there would sign what many receivers cannot verify.
            throw new FormatException($"selector {selector} signs with {(type == DkimKeyType.Rsa ? "RSA" : "Ed25519")}: this PEM holds an {(key.KeyType == DkimKeyType.Rsa ? "RSA" : "Ed25519")} key");
        }
        if (key.KeyType == DkimKeyType.Rsa && quotas.RsaSizeProblem(key.KeySize) is { } problem)
        {
            throw new FormatException(problem);
        }
        return Row(institutionId, selector, targetName, key, imported: true);
    }

    public DkimPrivateKey Open(DkimKey row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var pkcs8 = protector.Open(row.SealedPrivateKey, row.TargetName);
        try
        {
            return DkimPrivateKey.FromPem(PemText(pkcs8));
        }
        finally
        {
            Array.Clear(pkcs8);
        }
    }

    /// <summary>The TXT value served for a key row: its public key, or an empty p= once revoked (RFC 6376 §3.6.1).</summary>
    public static string TxtValue(DkimKey row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.State == DkimKeyState.Revoked ? $"v=DKIM1; k={row.Algorithm.Token()}; p=" : $"v=DKIM1; k={row.Algorithm.Token()}; p={row.PublicKey}";
    }

    private DkimKey Row(long? institutionId, string selector, string targetName, DkimPrivateKey key, bool imported)
    {
        // The engine speaks PEM; the sealed form is the PKCS#8 DER inside it.
        var pem = key.ExportPem();
        var der = Convert.FromBase64String(pem[System.Security.Cryptography.PemEncoding.Find(pem).Base64Data]);
        try
        {
            return new DkimKey
            {
                InstitutionId = institutionId,
                Selector = selector,
                TargetName = targetName,
                Algorithm = key.KeyType,
                Bits = key.KeySize,
                PublicKey = Convert.ToBase64String(key.PublicKey.PublishedBytes),
                SealedPrivateKey = protector.Seal(der, targetName),
                State = DkimKeyState.Created,
                Imported = imported,
                CreatedAt = time.GetUtcNow().UtcDateTime,
            };
        }
        finally
        {
            Array.Clear(der);
        }
    }

    private static string PemText(byte[] pkcs8) => new(System.Security.Cryptography.PemEncoding.Write("PRIVATE KEY", pkcs8));
}
