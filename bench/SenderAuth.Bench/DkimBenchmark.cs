using BenchmarkDotNet.Attributes;
using SenderAuth.Dkim;

namespace SenderAuth.Bench;

/// <summary>
/// Sign and verify one message, per fixture and key type. Keys are generated in setup (never stored); the
/// verifier's key record is parsed on the first call and cached by text afterwards, as in production (so are
/// the SPF and DMARC records of <see cref="FullVerify"/>).
/// </summary>
[MemoryDiagnoser]
public class DkimBenchmark
{
    private DkimPrivateKey _key = null!;
    private DkimSigner _signer = null!;
    private DkimVerifier _verifier = null!;
    private SenderAuth.AuthenticationResults.MessageVerifier _full = null!;
    private readonly System.Net.IPAddress _client = System.Net.IPAddress.Parse("192.0.2.25");
    private byte[] _message = null!;
    private byte[] _signed = null!;

    [ParamsSource(nameof(MessageNames))]
    public string Message { get; set; } = null!;

    [Params(DkimKeyType.Rsa, DkimKeyType.Ed25519)]
    public DkimKeyType Algorithm { get; set; }

    public static IEnumerable<string> MessageNames => DkimFixture.Messages;

    [GlobalSetup]
    public void Setup()
    {
        _key = DkimPrivateKey.Generate(Algorithm);
        _signer = DkimFixture.Signer(_key);
        _verifier = DkimFixture.Verifier(_key.PublicKey);
        _full = DkimFixture.MessageVerifier(_key.PublicKey);
        _message = DkimFixture.Message(Message);
        _signed = _signer.Sign(_message);
        DkimFixture.CheckPassAsync(_verifier, _signed).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark]
    public byte[] Sign() => _signer.Sign(_message);

    [Benchmark]
    public Task<DkimVerification> Verify() => _verifier.VerifyAsync(_signed);

    /// <summary>A receiver's whole job: SPF, every DKIM signature, DMARC and the Authentication-Results field.</summary>
    [Benchmark]
    public Task<SenderAuth.AuthenticationResults.MessageVerification> FullVerify() =>
        _full.VerifyAsync(_signed, _client, "bounce@" + DkimFixture.Domain, "mta." + DkimFixture.Domain);
}
