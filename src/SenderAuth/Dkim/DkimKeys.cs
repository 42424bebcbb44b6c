using System.Security.Cryptography;
using NSec.Cryptography;

namespace SenderAuth.Dkim;

/// <summary>Key types of RFC 6376 (rsa) and RFC 8463 (ed25519).</summary>
public enum DkimKeyType
{
    /// <summary>k=rsa (RFC 6376 §3.6.1): RSA keys of 1024 to 4096 bits; 2048 is the usual choice.</summary>
    Rsa,
    /// <summary>k=ed25519 (RFC 8463): 256-bit keys, short enough for one TXT string.</summary>
    Ed25519,
}

/// <summary>
/// A DKIM signing key. RSA goes through System.Security.Cryptography (OpenSSL on Linux). Ed25519 goes through
/// NSec (libsodium): .NET has no Ed25519, and NSec signs 2.8x as fast as BouncyCastle's managed code
/// (Ed25519LibraryBenchmark: 18.9 against 52.1 µs per signature of a DKIM digest; docs/benchmarks.md).
/// </summary>
public abstract class DkimPrivateKey : IDisposable
{
    /// <summary>Whether this is an RSA or an Ed25519 key.</summary>
    public abstract DkimKeyType KeyType { get; }

    /// <summary>Modulus bits for RSA, 256 for Ed25519.</summary>
    public abstract int KeySize { get; }

    /// <summary>The public half, whose <see cref="DkimPublicKey.PublishedBytes"/> go in the key record's p=.</summary>
    public abstract DkimPublicKey PublicKey { get; }

    /// <summary>
    /// Signs the SHA-256 digest of the canonical header data: PKCS#1 v1.5 for RSA (RFC 6376 §3.3.1), and pure
    /// Ed25519 over the 32-byte digest for Ed25519 (RFC 8463 §3).
    /// </summary>
    public abstract byte[] SignDigest(ReadOnlySpan<byte> sha256Digest);

    /// <summary>PEM text: PKCS#8 ("PRIVATE KEY"), or PKCS#1 ("RSA PRIVATE KEY") for RSA when asked.</summary>
    public abstract string ExportPem(bool pkcs1 = false);

    /// <summary>Creates a new random key.
    /// </summary>
    /// <param name="type">RSA or Ed25519.</param>
    /// <param name="rsaBits">RSA modulus size, 1024 to 4096 in steps of 8; ignored for Ed25519. Below 2048 is
    /// allowed for tests and old receivers, but RFC 8301 calls 1024 the floor, not the goal.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rsaBits"/> is out of range.</exception>
    public static DkimPrivateKey Generate(DkimKeyType type, int rsaBits = 2048)
    {
        if (type == DkimKeyType.Ed25519)
        {
            return new Ed25519PrivateKey(Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
        }
        if (rsaBits is < 1024 or > 4096 || rsaBits % 8 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rsaBits), rsaBits, "RSA keys are 1024 to 4096 bits, a multiple of 8");
        }
        return new RsaPrivateKey(RSA.Create(rsaBits));
    }

    /// <summary>Reads a PKCS#1 or PKCS#8 PEM private key (RSA or Ed25519, RFC 8410).</summary>
    /// <exception cref="FormatException">The text holds no usable private key.</exception>
    public static DkimPrivateKey FromPem(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            throw new FormatException(pem.Contains("-----BEGIN", StringComparison.Ordinal)
                ? "the PEM block is malformed: its base64 is not valid or its BEGIN/END lines do not match"
                : "no PEM block found (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)");
        }
        var label = pem[fields.Label];
        byte[] der;
        try
        {
            der = Convert.FromBase64String(pem[fields.Base64Data]);
        }
        catch (FormatException)
        {
            throw new FormatException("the PEM block is not valid base64");
        }
        try
        {
            switch (label)
            {
                case "PRIVATE KEY" when Ed25519PrivateKey.IsEd25519Pkcs8(der):
                    return new Ed25519PrivateKey(Key.Import(SignatureAlgorithm.Ed25519, der, KeyBlobFormat.PkixPrivateKey,
                        new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
                case "PRIVATE KEY":
                case "RSA PRIVATE KEY":
                    var rsa = RSA.Create();
                    if (label == "RSA PRIVATE KEY")
                    {
                        rsa.ImportRSAPrivateKey(der, out _);
                    }
                    else
                    {
                        rsa.ImportPkcs8PrivateKey(der, out _);
                    }
                    return new RsaPrivateKey(rsa);
                default:
                    throw new FormatException($"PEM label \"{label}\" is not a private key");
            }
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"the {label} block is not a valid RSA or Ed25519 private key: {e.Message}", e);
        }
    }

    /// <summary>Releases the key material (the native RSA handle or the libsodium key).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the key material; <paramref name="disposing"/> is false from a finalizer.</summary>
    protected abstract void Dispose(bool disposing);
}

/// <summary>A DKIM public key, as published in p= (RFC 6376 §3.6.1) and used to verify.</summary>
public abstract class DkimPublicKey
{
    /// <summary>Whether this is an RSA or an Ed25519 key.</summary>
    public abstract DkimKeyType KeyType { get; }

    /// <summary>Modulus bits for RSA, 256 for Ed25519; the verifier compares it with the minimum RSA size.</summary>
    public abstract int KeySize { get; }

    /// <summary>The p= bytes: SubjectPublicKeyInfo DER for RSA, the bare 32-byte key for Ed25519 (RFC 8463 §4).</summary>
    public abstract byte[] PublishedBytes { get; }

    /// <summary>Checks <paramref name="signature"/> over <paramref name="digest"/>: PKCS#1 v1.5 with <paramref name="hash"/> for
    /// RSA, pure Ed25519 over the digest for Ed25519 (RFC 8463 §3). False on any mismatch, never an exception.</summary>
    public abstract bool VerifyDigest(ReadOnlySpan<byte> digest, HashAlgorithmName hash, ReadOnlySpan<byte> signature);

    /// <summary>Reads p= data. RSA accepts SubjectPublicKeyInfo and bare PKCS#1 RSAPublicKey (both are published).</summary>
    /// <exception cref="FormatException">Not a key of that type.</exception>
    public static DkimPublicKey FromPublished(DkimKeyType type, byte[] data)
    {
        if (type == DkimKeyType.Ed25519)
        {
            if (data.Length != 32 || !NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, data, KeyBlobFormat.RawPublicKey, out var key))
            {
                throw new FormatException($"an Ed25519 key is 32 bytes (RFC 8463 §4), found {data.Length}");
            }
            return new Ed25519PublicKey(key!);
        }
        var rsa = RSA.Create();
        try
        {
            try
            {
                rsa.ImportSubjectPublicKeyInfo(data, out _);
            }
            catch (CryptographicException)
            {
                rsa.ImportRSAPublicKey(data, out _);
            }
        }
        catch (CryptographicException e)
        {
            rsa.Dispose();
            throw new FormatException($"p= is not an RSA public key: {e.Message}", e);
        }
        return new RsaPublicKey(rsa);
    }
}
