using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using SenderAuth.Dkim;

namespace SenderAuth.Bench;

/// <summary>
/// Why the engine signs Ed25519 through NSec (libsodium) and not BouncyCastle: both sign the 32-byte SHA-256
/// digest of the header data (RFC 8463 §3), the only Ed25519 work in a DKIM signature.
/// </summary>
[MemoryDiagnoser]
public class Ed25519LibraryBenchmark
{
    private readonly byte[] _digest = SHA256.HashData("DKIM header data"u8);
    private DkimPrivateKey _nsec = null!;
    private Ed25519PrivateKeyParameters _bouncy = null!;

    [GlobalSetup]
    public void Setup()
    {
        _nsec = DkimPrivateKey.Generate(DkimKeyType.Ed25519);
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        _bouncy = (Ed25519PrivateKeyParameters)generator.GenerateKeyPair().Private;
    }

    [Benchmark(Baseline = true)]
    public byte[] NSec() => _nsec.SignDigest(_digest);

    [Benchmark]
    public byte[] BouncyCastle()
    {
        var signer = new Ed25519Signer();
        signer.Init(true, _bouncy);
        signer.BlockUpdate(_digest, 0, _digest.Length);
        return signer.GenerateSignature();
    }

    [GlobalCleanup]
    public void Cleanup() => _nsec.Dispose();
}
