using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SenderAuth.Dns.DnsSec;

/// <summary>
/// Canonical form and signed data (RFC 4034 §3.1.8.1 and §6), DS digests (§5.1.4, RFC 4509, RFC 6605) and NSEC3
/// hashes (RFC 5155 §5). One implementation, shared by the validator and the tests' signer.
/// </summary>
internal static class DnssecCanonical
{
    /// <summary>
    /// RDATA with the embedded names lower-cased where RFC 4034 §6.2 (as narrowed by RFC 6840 §5.1: not NSEC) asks
    /// for it. NAPTR, PX, A6, SIG and NXT are not rewritten: none of them is met by a sender-domain check.
    /// </summary>
    public static byte[] Rdata(ushort type, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int namesAt, count;
        switch (type)
        {
            case 2 or 3 or 4 or 5 or 7 or 8 or 9 or 12 or 39:
                (namesAt, count) = (0, 1);
                break;
            case 6 or 14 or 17:
                (namesAt, count) = (0, 2);
                break;
            case 15 or 18 or 21 or 36:
                (namesAt, count) = (2, 1);
                break;
            case 33:
                (namesAt, count) = (6, 1);
                break;
            case 46:
                (namesAt, count) = (18, 1);
                break;
            default:
                return data;
        }
        var copy = (byte[])data.Clone();
        var pos = namesAt;
        for (var i = 0; i < count && pos < copy.Length; i++)
        {
            RdataNames.LowerInPlace(copy, ref pos);
        }
        return copy;
    }

    /// <summary>
    /// The octets an RRSIG signs: its RDATA without the signature, then each record of the RRset in canonical form
    /// (owner lower-case, or the wildcard name when the RRSIG's label count is smaller; the original TTL; RDATA
    /// canonical), sorted by RDATA as octet strings, duplicates dropped (RFC 4034 §3.1.8.1, §6.3).
    /// </summary>
    public static byte[] SignedData(RrsigData rrsig, IEnumerable<WireRecord> rrset)
    {
        ArgumentNullException.ThrowIfNull(rrsig);
        ArgumentNullException.ThrowIfNull(rrset);
        var records = rrset.ToList();
        if (records.Count == 0)
        {
            return rrsig.SignedPrefix;
        }
        var owner = records[0].Owner;
        if (rrsig.Labels < owner.LabelCount)
        {
            owner = owner.Suffix(rrsig.Labels).Prepend("*");
        }
        var ownerWire = owner.ToWire();
        var rdatas = records.Select(r => Rdata(r.Type, r.Data)).ToList();
        rdatas.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        using var stream = new MemoryStream();
        stream.Write(rrsig.SignedPrefix);
        Span<byte> header = stackalloc byte[10];
        byte[]? previous = null;
        foreach (var rdata in rdatas)
        {
            if (previous is not null && previous.AsSpan().SequenceEqual(rdata))
            {
                continue;
            }
            previous = rdata;
            stream.Write(ownerWire);
            BinaryPrimitives.WriteUInt16BigEndian(header, records[0].Type);
            BinaryPrimitives.WriteUInt16BigEndian(header[2..], records[0].Class);
            BinaryPrimitives.WriteUInt32BigEndian(header[4..], rrsig.OriginalTtl);
            BinaryPrimitives.WriteUInt16BigEndian(header[8..], (ushort)rdata.Length);
            stream.Write(header);
            stream.Write(rdata);
        }
        return stream.ToArray();
    }

    /// <summary>The DS digest of a key: hash of owner (canonical) and DNSKEY RDATA; null for a digest type we do not know.</summary>
    public static byte[]? DsDigest(DnskeyData key, byte digestType)
    {
        ArgumentNullException.ThrowIfNull(key);
        var input = key.Owner.ToWire().Concat(key.Rdata).ToArray();
        return digestType switch
        {
            1 => SHA1.HashData(input),
            2 => SHA256.HashData(input),
            4 => SHA384.HashData(input),
            _ => null,
        };
    }

    /// <summary>Digest types we can compute (RFC 8624 §3.3: SHA-1 is still to be validated, SHA-256 and SHA-384 must be).</summary>
    public static bool IsSupportedDigest(byte digestType) => digestType is 1 or 2 or 4;

    /// <summary>The NSEC3 hash of a name (RFC 5155 §5): SHA-1 iterated over name and salt; null for other algorithms.</summary>
    public static byte[]? Nsec3Hash(WireName name, byte algorithm, ushort iterations, byte[] salt)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(salt);
        if (algorithm != 1)
        {
            return null;
        }
        var hash = SHA1.HashData([.. name.ToWire(), .. salt]);
        for (var i = 0; i < iterations; i++)
        {
            hash = SHA1.HashData([.. hash, .. salt]);
        }
        return hash;
    }
}
