using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Interop;

/// <summary>
/// What the interop tests share: one RSA and one Ed25519 key (published for both our resolver and the peers'
/// DNS files), a temporary folder for the files the peers read, and caches so that each (peer, algorithm,
/// canonicalization, fixture) costs one peer process per direction instead of one per test.
/// </summary>
public sealed class InteropWorld : IDisposable
{
    public const string Domain = "example.com";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("sa-interop-");
    private readonly Dictionary<string, DkimPrivateKey> _keys = new()
    {
        ["rsa-sha256"] = DkimPrivateKey.Generate(DkimKeyType.Rsa, 2048),
        ["ed25519-sha256"] = DkimPrivateKey.Generate(DkimKeyType.Ed25519),
    };
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _cache = new();
    private int _files;

    public InteropWorld()
    {
        var zone = new DnsZone();
        var json = new Dictionary<string, string>();
        var keyFile = new StringBuilder();
        foreach (var (algorithm, key) in _keys)
        {
            var name = $"{Selector(algorithm)}._domainkey.{Domain}";
            var txt = DkimKeyRecord.TxtValue(key.PublicKey);
            zone.Add(new TxtRecord(name, 300, DkimKeyRecord.TxtStrings(txt)));
            json[name] = txt;
            keyFile.Append(name).Append('\t').Append(txt).Append('\n');
            // dkimpy reads only PKCS#1 RSA keys (the classic DKIM key file); the others read both.
            File.WriteAllText(KeyFile(algorithm), key.ExportPem(pkcs1: key.KeyType == DkimKeyType.Rsa));
        }
        Verifier = new DkimVerifier(new ZoneDnsResolver(zone));
        JsonDns = Path.Combine(_dir.FullName, "dns.json");
        File.WriteAllText(JsonDns, JsonSerializer.Serialize(json));
        KeyFileDns = Path.Combine(_dir.FullName, "dns.txt");
        File.WriteAllText(KeyFileDns, keyFile.ToString());
    }

    /// <summary>Our verifier, answering DNS for both keys.</summary>
    public DkimVerifier Verifier { get; }

    /// <summary>name → TXT text, for dkimpy and mailauth.</summary>
    public string JsonDns { get; }

    /// <summary>"name&lt;TAB&gt;TXT" lines, for libopendkim's DKIM_QUERY_FILE.</summary>
    public string KeyFileDns { get; }

    public static string Selector(string algorithm) => algorithm.StartsWith("ed25519", StringComparison.Ordinal) ? "ed" : "rsa";

    public string KeyFile(string algorithm) => Path.Combine(_dir.FullName, Selector(algorithm) + ".pem");

    public static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "dkim", name));

    public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "dkim", name);

    /// <summary>Writes bytes to a new file in the temporary folder, for a peer to read.</summary>
    public string Write(byte[] bytes, string hint)
    {
        var path = Path.Combine(_dir.FullName, $"{Interlocked.Increment(ref _files):D4}-{hint}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Signs a fixture with our signer.</summary>
    public byte[] SignOurs(string algorithm, string canon, string fixture)
    {
        var parts = canon.Split('/');
        var signer = new DkimSigner(new DkimSignerOptions
        {
            Keys = [new DkimSigningKey(Domain, Selector(algorithm), _keys[algorithm])],
            HeaderCanonicalization = Enum.Parse<DkimCanonicalization>(parts[0], ignoreCase: true),
            BodyCanonicalization = Enum.Parse<DkimCanonicalization>(parts[1], ignoreCase: true),
        });
        return signer.Sign(Fixture(fixture));
    }

    /// <summary>Runs <paramref name="make"/> once per key; later callers get the same task.</summary>
    public async Task<T> Once<T>(string key, Func<Task<T>> make) where T : class =>
        (T)await _cache.GetOrAdd(key, _ => new Lazy<Task<object>>(async () => await make())).Value;

    public void Dispose()
    {
        foreach (var k in _keys.Values)
        {
            k.Dispose();
        }
        _dir.Delete(recursive: true);
    }
}
