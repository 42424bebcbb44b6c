using System.Security.Cryptography;
using NSec.Cryptography;

namespace SenderAuth.Dkim;

internal sealed class RsaPrivateKey(RSA rsa) : DkimPrivateKey
{
    private readonly RsaPublicKey _public = new(ImportPublic(rsa));

    public override DkimKeyType KeyType => DkimKeyType.Rsa;

    public override int KeySize => rsa.KeySize;

    public override DkimPublicKey PublicKey => _public;

    public override byte[] SignDigest(ReadOnlySpan<byte> sha256Digest) =>
        rsa.SignHash(sha256Digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public override string ExportPem(bool pkcs1 = false) =>
        pkcs1 ? PemEncoding.WriteString("RSA PRIVATE KEY", rsa.ExportRSAPrivateKey()) : PemEncoding.WriteString("PRIVATE KEY", rsa.ExportPkcs8PrivateKey());

    private static RSA ImportPublic(RSA rsa)
    {
        var pub = RSA.Create();
        pub.ImportSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo(), out _);
        return pub;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            rsa.Dispose();
        }
    }
}

internal sealed class RsaPublicKey(RSA rsa) : DkimPublicKey
{
    public override DkimKeyType KeyType => DkimKeyType.Rsa;

    public override int KeySize => rsa.KeySize;

    public override byte[] PublishedBytes => rsa.ExportSubjectPublicKeyInfo();

    public override bool VerifyDigest(ReadOnlySpan<byte> digest, HashAlgorithmName hash, ReadOnlySpan<byte> signature)
    {
        try
        {
            return rsa.VerifyHash(digest, signature, hash, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}

internal sealed class Ed25519PrivateKey(Key key) : DkimPrivateKey
{
    private readonly Ed25519PublicKey _public = new(key.PublicKey);

    public override DkimKeyType KeyType => DkimKeyType.Ed25519;

    public override int KeySize => 256;

    public override DkimPublicKey PublicKey => _public;

    public override byte[] SignDigest(ReadOnlySpan<byte> sha256Digest) => SignatureAlgorithm.Ed25519.Sign(key, sha256Digest);

    public override string ExportPem(bool pkcs1 = false) =>
        pkcs1 ? throw new NotSupportedException("PKCS#1 exists for RSA only; Ed25519 keys are PKCS#8 (RFC 8410)")
              : PemEncoding.WriteString("PRIVATE KEY", key.Export(KeyBlobFormat.PkixPrivateKey));

    /// <summary>PKCS#8 with the id-Ed25519 OID 1.3.101.112 (RFC 8410 §3): DER 06 03 2B 65 70.</summary>
    public static bool IsEd25519Pkcs8(ReadOnlySpan<byte> der) => der.Length < 64 && der.IndexOf((ReadOnlySpan<byte>)[0x06, 0x03, 0x2B, 0x65, 0x70]) >= 0;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            key.Dispose();
        }
    }
}

internal sealed class Ed25519PublicKey(NSec.Cryptography.PublicKey key) : DkimPublicKey
{
    public override DkimKeyType KeyType => DkimKeyType.Ed25519;

    public override int KeySize => 256;

    public override byte[] PublishedBytes => key.Export(KeyBlobFormat.RawPublicKey);

    public override bool VerifyDigest(ReadOnlySpan<byte> digest, HashAlgorithmName hash, ReadOnlySpan<byte> signature) =>
        hash == HashAlgorithmName.SHA256 && SignatureAlgorithm.Ed25519.Verify(key, digest, signature);
}
