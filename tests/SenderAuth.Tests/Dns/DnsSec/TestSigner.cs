using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using SenderAuth.Dns.DnsSec;

namespace SenderAuth.Tests.Dns.DnsSec;

/// <summary>A DNSSEC key made in the test, for one of the five algorithms, that signs RRsets the way a zone signer does.</summary>
internal sealed class TestKey : IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;
    private readonly Key? _ed25519;

    public TestKey(string zone, byte algorithm, ushort flags = 257)
    {
        Algorithm = algorithm;
        byte[] publicKey;
        switch (algorithm)
        {
            case 8 or 10:
                _rsa = RSA.Create(2048);
                publicKey = DnssecAlgorithms.RsaPublicKey(_rsa.ExportParameters(false));
                break;
            case 13 or 14:
                _ecdsa = ECDsa.Create(algorithm == 13 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384);
                var q = _ecdsa.ExportParameters(false).Q;
                publicKey = [.. q.X!, .. q.Y!];
                break;
            case 15:
                _ed25519 = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });
                publicKey = _ed25519.PublicKey.Export(KeyBlobFormat.RawPublicKey);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm));
        }
        byte[] rdata = [(byte)(flags >> 8), (byte)flags, 3, algorithm, .. publicKey];
        Dnskey = DnskeyData.Read(WireName.Parse(zone), rdata);
        Record = new WireRecord(WireName.Parse(zone), DnssecTypes.Dnskey, 1, 3600, rdata);
    }

    public byte Algorithm { get; }

    public DnskeyData Dnskey { get; }

    public WireRecord Record { get; }

    public ushort KeyTag => Dnskey.KeyTag;

    /// <summary>The DS the parent publishes (SHA-256 unless told).</summary>
    public WireRecord Ds(byte digestType = 2)
    {
        var digest = DnssecCanonical.DsDigest(Dnskey, digestType)!;
        byte[] rdata = [(byte)(KeyTag >> 8), (byte)KeyTag, Algorithm, digestType, .. digest];
        return new WireRecord(Dnskey.Owner, DnssecTypes.Ds, 1, 3600, rdata);
    }

    public DsData DsData(byte digestType = 2)
    {
        var r = Ds(digestType);
        return SenderAuth.Dns.DnsSec.DsData.Read(r.Owner, r.Data);
    }

    /// <summary>An RRSIG over the RRset, valid from <paramref name="inception"/> to <paramref name="expiration"/>.</summary>
    public WireRecord Sign(IReadOnlyList<WireRecord> rrset, DateTimeOffset inception, DateTimeOffset expiration, int? labels = null, ushort? keyTag = null)
    {
        var owner = rrset[0].Owner;
        var signer = Dnskey.Owner.ToWire();
        var prefix = new byte[18 + signer.Length];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, rrset[0].Type);
        prefix[2] = Algorithm;
        prefix[3] = (byte)(labels ?? owner.LabelCount);
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(4), rrset[0].Ttl);
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(8), (uint)expiration.ToUnixTimeSeconds());
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(12), (uint)inception.ToUnixTimeSeconds());
        BinaryPrimitives.WriteUInt16BigEndian(prefix.AsSpan(16), keyTag ?? KeyTag);
        signer.CopyTo(prefix, 18);
        var unsigned = RrsigData.Read(owner, prefix.Concat(new byte[] { 0 }).ToArray());
        var data = DnssecCanonical.SignedData(unsigned, rrset);
        byte[] signature = Algorithm switch
        {
            8 => _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            10 => _rsa!.SignData(data, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
            13 => _ecdsa!.SignData(data, HashAlgorithmName.SHA256),
            14 => _ecdsa!.SignData(data, HashAlgorithmName.SHA384),
            _ => SignatureAlgorithm.Ed25519.Sign(_ed25519!, data),
        };
        return new WireRecord(owner, DnssecTypes.Rrsig, 1, rrset[0].Ttl, [.. prefix, .. signature]);
    }

    public void Dispose()
    {
        _rsa?.Dispose();
        _ecdsa?.Dispose();
        _ed25519?.Dispose();
    }
}

/// <summary>Record builders for the tests.</summary>
internal static class Rr
{
    public static WireRecord Txt(string owner, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        return new WireRecord(WireName.Parse(owner), DnssecTypes.Txt, 1, 300, [(byte)bytes.Length, .. bytes]);
    }

    public static byte[] NameWire(string name, bool keepCase = false)
    {
        if (!keepCase)
        {
            return WireName.Parse(name).ToWire();
        }
        var output = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            output.Add((byte)label.Length);
            output.AddRange(Encoding.ASCII.GetBytes(label));
        }
        output.Add(0);
        return [.. output];
    }

    public static WireRecord Cname(string owner, string target, bool keepCase = false) =>
        new(WireName.Parse(owner), DnssecTypes.Cname, 1, 300, NameWire(target, keepCase));

    public static WireRecord Soa(string zone) =>
        new(WireName.Parse(zone), DnssecTypes.Soa, 1, 300, [.. NameWire("ns." + zone), .. NameWire("hostmaster." + zone), .. new byte[20]]);

    /// <summary>An NSEC from owner to next with the given types (RRSIG and NSEC added, as signers do).</summary>
    public static WireRecord Nsec(string owner, string next, params ushort[] types)
    {
        var all = types.Concat([DnssecTypes.Rrsig, DnssecTypes.Nsec]).Distinct().OrderBy(t => t).ToList();
        var bitmap = new List<byte>();
        foreach (var window in all.GroupBy(t => t >> 8))
        {
            var bytes = new byte[(window.Max() & 0xFF) / 8 + 1];
            foreach (var t in window)
            {
                bytes[(t & 0xFF) / 8] |= (byte)(0x80 >> (t & 7));
            }
            bitmap.Add((byte)window.Key);
            bitmap.Add((byte)bytes.Length);
            bitmap.AddRange(bytes);
        }
        return new WireRecord(WireName.Parse(owner), DnssecTypes.Nsec, 1, 300, [.. NameWire(next), .. bitmap]);
    }
}

/// <summary>Answers from a table built in the test, and counts the queries.</summary>
internal sealed class FakeTransport : IDnssecTransport
{
    private readonly Dictionary<(string, ushort), WireMessage> _answers = [];

    public List<string> Queries { get; } = [];

    public void Add(string name, ushort type, IEnumerable<WireRecord> answers, IEnumerable<WireRecord>? authority = null, int rcode = 0) =>
        _answers[(WireName.Parse(name).Text, type)] = new WireMessage
        {
            Id = 1, RCode = rcode, Truncated = false, AuthenticData = false,
            Answers = [.. answers], Authority = [.. authority ?? []],
        };

    public ValueTask<WireMessage?> QueryAsync(WireName name, ushort type, CancellationToken cancellationToken = default)
    {
        Queries.Add($"{DnssecTypes.Name(type)} {name}");
        return ValueTask.FromResult(_answers.TryGetValue((name.Text, type), out var m) ? m : null);
    }
}
