using System.Security.Cryptography;
using NSec.Cryptography;

namespace SenderAuth.Dns.DnsSec;

/// <summary>
/// RRSIG verification for the algorithms RFC 8624 §3.1 says a validator must (or is recommended to) implement:
/// RSASHA256 (8, RFC 5702), RSASHA512 (10), ECDSAP256SHA256 (13, RFC 6605), ECDSAP384SHA384 (14) and ED25519 (15,
/// RFC 8080). RSA and ECDSA through System.Security.Cryptography, Ed25519 through NSec (as the DKIM code does).
/// RSASHA1 (5, 7) is not supported: RFC 8624 allows treating it as unknown, and zones using only it come out insecure.
/// </summary>
internal static class DnssecAlgorithms
{
    /// <summary>The algorithm numbers verified here.</summary>
    public static bool IsSupported(byte algorithm) => algorithm is 8 or 10 or 13 or 14 or 15;

    /// <summary>The mnemonic of an algorithm number for messages.</summary>
    public static string Name(byte algorithm) => algorithm switch
    {
        5 => "RSASHA1", 7 => "RSASHA1-NSEC3-SHA1", 8 => "RSASHA256", 10 => "RSASHA512", 13 => "ECDSAP256SHA256",
        14 => "ECDSAP384SHA384", 15 => "ED25519", 16 => "ED448", _ => $"algorithm {algorithm}",
    };

    /// <summary>
    /// Whether <paramref name="signature"/> over <paramref name="data"/> verifies with the DNSKEY public key (its wire
    /// form for the algorithm). False for a malformed key or signature and for unsupported algorithms.
    /// </summary>
    public static bool Verify(byte algorithm, byte[] publicKey, byte[] data, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(signature);
        return IsSupported(algorithm) && new DnssecPublicKey(algorithm, publicKey).Verify(data, signature);
    }

    /// <summary>RFC 3110 §2: exponent length (one octet, or zero and two more), exponent, modulus.</summary>
    internal static RSAParameters RsaParameters(byte[] key)
    {
        if (key.Length < 3)
        {
            throw new CryptographicException("RSA key too short");
        }
        int expLength = key[0], pos = 1;
        if (expLength == 0)
        {
            expLength = (key[1] << 8) | key[2];
            pos = 3;
        }
        if (expLength == 0 || pos + expLength >= key.Length)
        {
            throw new CryptographicException("RSA key malformed");
        }
        return new RSAParameters { Exponent = key[pos..(pos + expLength)], Modulus = key[(pos + expLength)..] };
    }

    /// <summary>RFC 3110 wire form of an RSA public key (for anchors and the tests' keys).</summary>
    public static byte[] RsaPublicKey(RSAParameters p)
    {
        var exp = p.Exponent ?? throw new ArgumentException("no exponent", nameof(p));
        var mod = p.Modulus ?? throw new ArgumentException("no modulus", nameof(p));
        byte[] head = exp.Length < 256 ? [(byte)exp.Length] : [0, (byte)(exp.Length >> 8), (byte)exp.Length];
        return [.. head, .. exp, .. mod];
    }
}

/// <summary>
/// A DNSKEY's public key parsed once (RSA, ECDSA or Ed25519 handle), so verifying many signatures with a zone's
/// cached keys does not import the key each time. Verification is serialised per key: the OpenSSL-backed .NET key
/// objects are not documented as safe for concurrent use, and the bulk check shares a validator between tasks.
/// </summary>
internal sealed class DnssecPublicKey(byte algorithm, byte[] publicKey)
{
    private readonly Lock _gate = new();
    private object? _handle;
    private bool _failed;

    public bool Verify(byte[] data, byte[] signature)
    {
        lock (_gate)
        {
            if (_failed)
            {
                return false;
            }
            try
            {
                _handle ??= Import();
                return _handle switch
                {
                    RSA rsa => rsa.VerifyData(data, signature, algorithm == 8 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
                    ECDsa ecdsa => signature.Length == (algorithm == 13 ? 64 : 96)
                        && ecdsa.VerifyData(data, signature, algorithm == 13 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384),
                    PublicKey ed => SignatureAlgorithm.Ed25519.Verify(ed, data, signature),
                    _ => false,
                };
            }
            catch (CryptographicException)
            {
                _failed = _handle is null;
                return false;
            }
        }
    }

    private object Import()
    {
        switch (algorithm)
        {
            case 8 or 10:
                var rsa = RSA.Create();
                rsa.ImportParameters(DnssecAlgorithms.RsaParameters(publicKey));
                return rsa;
            case 13 or 14:
                var size = algorithm == 13 ? 32 : 48;
                if (publicKey.Length != 2 * size)
                {
                    throw new CryptographicException("ECDSA key of the wrong length");
                }
                return ECDsa.Create(new ECParameters
                {
                    Curve = algorithm == 13 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384,
                    Q = new ECPoint { X = publicKey[..size], Y = publicKey[size..] },
                });
            case 15:
                return PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key) && key is not null
                    ? key : throw new CryptographicException("Ed25519 key malformed");
            default:
                throw new CryptographicException("unsupported algorithm");
        }
    }
}
