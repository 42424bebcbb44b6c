using System.Buffers.Binary;

namespace SenderAuth.Dns.DnsSec;

/// <summary>DNSSEC record type numbers used here (RFC 4034, RFC 5155).</summary>
internal static class DnssecTypes
{
    public const ushort Cname = 5;
    public const ushort Soa = 6;
    public const ushort Ds = 43;
    public const ushort Rrsig = 46;
    public const ushort Nsec = 47;
    public const ushort Dnskey = 48;
    public const ushort Nsec3 = 50;
    public const ushort Ns = 2;
    public const ushort Txt = 16;

    /// <summary>The mnemonic of a type for messages (TYPEnnn for the rest, RFC 3597).</summary>
    public static string Name(ushort type) => type switch
    {
        1 => "A", 2 => "NS", 5 => "CNAME", 6 => "SOA", 12 => "PTR", 15 => "MX", 16 => "TXT", 28 => "AAAA",
        43 => "DS", 46 => "RRSIG", 47 => "NSEC", 48 => "DNSKEY", 50 => "NSEC3", 51 => "NSEC3PARAM",
        _ => $"TYPE{type}",
    };
}

/// <summary>A DNSKEY (RFC 4034 §2) with its key tag (Appendix B).</summary>
internal sealed record DnskeyData(WireName Owner, ushort Flags, byte Protocol, byte Algorithm, byte[] PublicKey, byte[] Rdata)
{
    /// <summary>Zone Key flag (bit 7): only zone keys may verify RRSIGs (RFC 4035 §5.3.1).</summary>
    public bool IsZoneKey => (Flags & 0x0100) != 0;

    /// <summary>REVOKE flag (RFC 5011 §7): a revoked key is not used.</summary>
    public bool IsRevoked => (Flags & 0x0080) != 0;

    public ushort KeyTag { get; } = ComputeKeyTag(Rdata);

    /// <summary>The key parsed once for verification (the zone's keys are cached by the validator, so is this).</summary>
    internal DnssecPublicKey Verifier => _verifier ??= new DnssecPublicKey(Algorithm, PublicKey);

    private DnssecPublicKey? _verifier;

    public static DnskeyData Read(WireName owner, byte[] rdata)
    {
        if (rdata.Length < 5)
        {
            throw new FormatException("DNSKEY RDATA shorter than 5 octets");
        }
        return new DnskeyData(owner, BinaryPrimitives.ReadUInt16BigEndian(rdata), rdata[2], rdata[3], rdata[4..], rdata);
    }

    /// <summary>RFC 4034 Appendix B (algorithm 1 keys have another tag, and are not supported anyway).</summary>
    internal static ushort ComputeKeyTag(ReadOnlySpan<byte> rdata)
    {
        uint ac = 0;
        for (var i = 0; i < rdata.Length; i++)
        {
            ac += (i & 1) == 1 ? rdata[i] : (uint)rdata[i] << 8;
        }
        ac += (ac >> 16) & 0xFFFF;
        return (ushort)(ac & 0xFFFF);
    }
}

/// <summary>A DS record (RFC 4034 §5).</summary>
internal sealed record DsData(WireName Owner, ushort KeyTag, byte Algorithm, byte DigestType, byte[] Digest)
{
    public static DsData Read(WireName owner, byte[] rdata) => rdata.Length < 5
        ? throw new FormatException("DS RDATA shorter than 5 octets")
        : new DsData(owner, BinaryPrimitives.ReadUInt16BigEndian(rdata), rdata[2], rdata[3], rdata[4..]);
}

/// <summary>An RRSIG (RFC 4034 §3). <see cref="SignedPrefix"/> is its RDATA up to the signature, signer name canonical.</summary>
internal sealed record RrsigData(
    WireName Owner, ushort TypeCovered, byte Algorithm, byte Labels, uint OriginalTtl, uint Expiration, uint Inception,
    ushort KeyTag, WireName Signer, byte[] Signature, byte[] SignedPrefix)
{
    public static RrsigData Read(WireName owner, byte[] rdata)
    {
        if (rdata.Length < 19)
        {
            throw new FormatException("RRSIG RDATA shorter than 19 octets");
        }
        var pos = 18;
        var signer = RdataNames.Read(rdata, ref pos);
        // RFC 4034 §3.1.8.1 and §6.2: the signer name is signed in canonical (lower-case) form.
        var prefix = new byte[18 + signer.ToWire().Length];
        rdata.AsSpan(0, 18).CopyTo(prefix);
        signer.ToWire().CopyTo(prefix, 18);
        var r = rdata.AsSpan();
        return new RrsigData(owner, BinaryPrimitives.ReadUInt16BigEndian(r), r[2], r[3],
            BinaryPrimitives.ReadUInt32BigEndian(r[4..]), BinaryPrimitives.ReadUInt32BigEndian(r[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(r[12..]), BinaryPrimitives.ReadUInt16BigEndian(r[16..]),
            signer, rdata[pos..], prefix);
    }
}

/// <summary>An NSEC record (RFC 4034 §4): the next owner name and the types at this one.</summary>
internal sealed record NsecData(WireName Owner, WireName Next, HashSet<ushort> Types)
{
    public static NsecData Read(WireName owner, byte[] rdata)
    {
        var pos = 0;
        var next = RdataNames.Read(rdata, ref pos);
        return new NsecData(owner, next, TypeBitmap.Read(rdata.AsSpan(pos)));
    }

    /// <summary>True when <paramref name="name"/> falls strictly between this owner and the next in canonical order
    /// (the last NSEC of a zone wraps round to the apex).</summary>
    public bool Covers(WireName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var afterOwner = Owner.CompareTo(name) < 0;
        var beforeNext = name.CompareTo(Next) < 0;
        return Owner.CompareTo(Next) < 0 ? afterOwner && beforeNext : afterOwner || beforeNext;
    }
}

/// <summary>An NSEC3 record (RFC 5155 §3). <see cref="OwnerHash"/> is the first label of the owner, decoded.</summary>
internal sealed record Nsec3Data(WireName Owner, byte HashAlgorithm, byte Flags, ushort Iterations, byte[] Salt, byte[] NextHash, HashSet<ushort> Types)
{
    public bool OptOut => (Flags & 1) != 0;

    public byte[]? OwnerHash { get; } = Owner.LabelCount > 0 ? Base32Hex.TryDecode(Owner.Labels[0]) : null;

    public static Nsec3Data Read(WireName owner, byte[] rdata)
    {
        if (rdata.Length < 5)
        {
            throw new FormatException("NSEC3 RDATA too short");
        }
        var saltLength = rdata[4];
        var pos = 5 + saltLength;
        if (pos >= rdata.Length || pos + 1 + rdata[pos] > rdata.Length)
        {
            throw new FormatException("NSEC3 RDATA too short");
        }
        var salt = rdata[5..pos];
        var hashLength = rdata[pos];
        var next = rdata[(pos + 1)..(pos + 1 + hashLength)];
        return new Nsec3Data(owner, rdata[0], rdata[1], BinaryPrimitives.ReadUInt16BigEndian(rdata.AsSpan(2)), salt, next,
            TypeBitmap.Read(rdata.AsSpan(pos + 1 + hashLength)));
    }

    /// <summary>The hash matches this record's owner.</summary>
    public bool Matches(byte[] hash) => OwnerHash is not null && OwnerHash.AsSpan().SequenceEqual(hash);

    /// <summary>The hash falls strictly between this owner hash and the next (wrapping at the end of the chain).</summary>
    public bool Covers(byte[] hash)
    {
        if (OwnerHash is null)
        {
            return false;
        }
        var afterOwner = OwnerHash.AsSpan().SequenceCompareTo(hash) < 0;
        var beforeNext = hash.AsSpan().SequenceCompareTo(NextHash) < 0;
        return OwnerHash.AsSpan().SequenceCompareTo(NextHash) < 0 ? afterOwner && beforeNext : afterOwner || beforeNext;
    }
}

/// <summary>Uncompressed names inside RDATA (RFC 4034 forbids compression in RRSIG and NSEC).</summary>
internal static class RdataNames
{
    public static WireName Read(ReadOnlySpan<byte> data, ref int pos)
    {
        var labels = new List<byte[]>();
        while (true)
        {
            if (pos >= data.Length)
            {
                throw new FormatException("name runs past the RDATA");
            }
            var len = data[pos];
            if (len == 0)
            {
                pos++;
                return new WireName([.. labels]);
            }
            if (len > 63 || pos + 1 + len > data.Length)
            {
                throw new FormatException("bad label in RDATA name");
            }
            labels.Add(data.Slice(pos + 1, len).ToArray());
            pos += 1 + len;
        }
    }

    /// <summary>Writes the name at <paramref name="pos"/> lower-cased in place and moves past it.</summary>
    public static void LowerInPlace(byte[] data, ref int pos)
    {
        while (pos < data.Length && data[pos] != 0)
        {
            var len = data[pos];
            for (var i = pos + 1; i <= pos + len && i < data.Length; i++)
            {
                data[i] = WireName.Lower(data[i]);
            }
            pos += 1 + len;
        }
        pos++;
    }
}

/// <summary>The type bitmap of NSEC and NSEC3 (RFC 4034 §4.1.2).</summary>
internal static class TypeBitmap
{
    public static HashSet<ushort> Read(ReadOnlySpan<byte> data)
    {
        var types = new HashSet<ushort>();
        var pos = 0;
        while (pos < data.Length)
        {
            if (pos + 2 > data.Length || data[pos + 1] is 0 or > 32 || pos + 2 + data[pos + 1] > data.Length)
            {
                throw new FormatException("bad NSEC type bitmap");
            }
            var window = data[pos];
            var length = data[pos + 1];
            for (var i = 0; i < length; i++)
            {
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((data[pos + 2 + i] & (0x80 >> bit)) != 0)
                    {
                        types.Add((ushort)((window << 8) | (i * 8) + bit));
                    }
                }
            }
            pos += 2 + length;
        }
        return types;
    }
}

/// <summary>Base32 with the extended hex alphabet (RFC 4648 §7), as NSEC3 owner labels are written (RFC 5155 §3.3).</summary>
internal static class Base32Hex
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuv";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var sb = new System.Text.StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = ((buffer << 8) | b) & 0xFFFF;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            sb.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }
        return sb.ToString();
    }

    public static byte[]? TryDecode(ReadOnlySpan<byte> label)
    {
        var output = new List<byte>(label.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in label)
        {
            var v = Alphabet.IndexOf((char)WireName.Lower(c), StringComparison.Ordinal);
            if (v < 0)
            {
                return null;
            }
            buffer = ((buffer << 5) | v) & 0xFFFF;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. output];
    }
}
