using System.Buffers.Binary;

namespace SenderAuth.Dns.DnsSec;

/// <summary>
/// One resource record as DNSSEC needs it: owner, type, class, TTL and the RDATA uncompressed, in the case it came in
/// (the signer decides what is lower-cased; see <see cref="DnssecCanonical"/>).
/// </summary>
internal sealed record WireRecord(WireName Owner, ushort Type, ushort Class, uint Ttl, byte[] Data);

/// <summary>
/// A DNS response read for validation. Written here rather than taken from DnsClient because validation needs each
/// record's RDATA octets exactly (DnsClient hands out parsed records, and cannot set the CD bit), and rather than from
/// ARSoft.Tools.Net to keep the engine free of a second DNS stack (see <see cref="DnssecValidator"/>).
/// </summary>
internal sealed class WireMessage
{
    public required ushort Id { get; init; }

    /// <summary>RCODE (the low four bits; extended RCODEs are not needed here).</summary>
    public required int RCode { get; init; }

    public required bool Truncated { get; init; }

    public required bool AuthenticData { get; init; }

    public required IReadOnlyList<WireRecord> Answers { get; init; }

    public required IReadOnlyList<WireRecord> Authority { get; init; }

    /// <summary>Types whose RDATA may hold compressed names (RFC 3597 §4: the RFC 1035 types), decompressed on read.</summary>
    private static readonly HashSet<ushort> Compressible = [2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15];

    /// <summary>Reads a response; <see cref="FormatException"/> for anything malformed.</summary>
    public static WireMessage Parse(ReadOnlySpan<byte> m)
    {
        if (m.Length < 12)
        {
            throw new FormatException("DNS message shorter than its header");
        }
        var qd = BinaryPrimitives.ReadUInt16BigEndian(m[4..]);
        var an = BinaryPrimitives.ReadUInt16BigEndian(m[6..]);
        var ns = BinaryPrimitives.ReadUInt16BigEndian(m[8..]);
        var pos = 12;
        for (var i = 0; i < qd; i++)
        {
            ReadName(m, ref pos);
            pos += 4;
        }
        var answers = new List<WireRecord>(an);
        var authority = new List<WireRecord>(ns);
        for (var i = 0; i < an + ns; i++)
        {
            (i < an ? answers : authority).Add(ReadRecord(m, ref pos));
        }
        return new WireMessage
        {
            Id = BinaryPrimitives.ReadUInt16BigEndian(m),
            RCode = m[3] & 0x0F,
            Truncated = (m[2] & 0x02) != 0,
            AuthenticData = (m[3] & 0x20) != 0,
            Answers = answers,
            Authority = authority,
        };
    }

    /// <summary>A query with RD, CD (RFC 4035 §3.2.2: a validating upstream hands over bogus data too) and an OPT record with DO.</summary>
    public static byte[] Query(WireName name, ushort type, ushort id)
    {
        ArgumentNullException.ThrowIfNull(name);
        var qname = name.ToWire();
        var buffer = new byte[12 + qname.Length + 4 + 11];
        BinaryPrimitives.WriteUInt16BigEndian(buffer, id);
        buffer[2] = 0x01; // RD
        buffer[3] = 0x10; // CD
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(10), 1);
        qname.CopyTo(buffer, 12);
        var pos = 12 + qname.Length;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(pos), type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(pos + 2), 1);
        // OPT: root owner, type 41, UDP size 4096, extended RCODE 0, version 0, DO bit, no options.
        ((byte[])[0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0x00, 0, 0]).CopyTo(buffer, pos + 4);
        return buffer;
    }

    private static WireRecord ReadRecord(ReadOnlySpan<byte> m, ref int pos)
    {
        var owner = ReadName(m, ref pos);
        if (pos + 10 > m.Length)
        {
            throw new FormatException("record header runs past the message");
        }
        var type = BinaryPrimitives.ReadUInt16BigEndian(m[pos..]);
        var cls = BinaryPrimitives.ReadUInt16BigEndian(m[(pos + 2)..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(m[(pos + 4)..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(m[(pos + 8)..]);
        pos += 10;
        if (pos + length > m.Length)
        {
            throw new FormatException("RDATA runs past the message");
        }
        var data = Compressible.Contains(type) ? Decompress(m, pos, length, type) : m.Slice(pos, length).ToArray();
        pos += length;
        return new WireRecord(new WireName(owner), type, cls, ttl, data);
    }

    /// <summary>RDATA of an RFC 1035 type with its names written out in full (and in their original case).</summary>
    private static byte[] Decompress(ReadOnlySpan<byte> m, int start, int length, ushort type)
    {
        var end = start + length;
        var output = new List<byte>(length + 32);
        var pos = start;
        void Name(ReadOnlySpan<byte> msg, ref int p)
        {
            foreach (var label in ReadName(msg, ref p, lowerCase: false))
            {
                output.Add((byte)label.Length);
                output.AddRange(label);
            }
            output.Add(0);
        }
        void Fixed(ReadOnlySpan<byte> msg, ref int p, int count)
        {
            if (p + count > end)
            {
                throw new FormatException("RDATA shorter than its type needs");
            }
            output.AddRange(msg.Slice(p, count));
            p += count;
        }
        switch (type)
        {
            case 6: // SOA: two names, five numbers
                Name(m, ref pos);
                Name(m, ref pos);
                Fixed(m, ref pos, 20);
                break;
            case 15: // MX: preference, name
                Fixed(m, ref pos, 2);
                Name(m, ref pos);
                break;
            case 14: // MINFO: two names
                Name(m, ref pos);
                Name(m, ref pos);
                break;
            default: // NS, MD, MF, CNAME, MB, MG, MR, PTR: one name
                Name(m, ref pos);
                break;
        }
        if (pos != end)
        {
            throw new FormatException("RDATA length does not match its content");
        }
        return [.. output];
    }

    private static byte[][] ReadName(ReadOnlySpan<byte> m, ref int pos) => ReadName(m, ref pos, lowerCase: true);

    private static byte[][] ReadName(ReadOnlySpan<byte> m, ref int pos, bool lowerCase)
    {
        var labels = new List<byte[]>();
        var p = pos;
        var jumped = false;
        var total = 1;
        for (var hops = 0; hops < 128; hops++)
        {
            if (p >= m.Length)
            {
                throw new FormatException("name runs past the message");
            }
            var len = m[p];
            if ((len & 0xC0) == 0xC0)
            {
                if (p + 1 >= m.Length)
                {
                    throw new FormatException("truncated compression pointer");
                }
                if (!jumped)
                {
                    pos = p + 2;
                    jumped = true;
                }
                p = ((len & 0x3F) << 8) | m[p + 1];
                continue;
            }
            if ((len & 0xC0) != 0)
            {
                throw new FormatException("unknown label type");
            }
            if (len == 0)
            {
                if (!jumped)
                {
                    pos = p + 1;
                }
                return [.. labels];
            }
            if (p + 1 + len > m.Length || (total += len + 1) > 255)
            {
                throw new FormatException("label runs past the message or name over 255 octets");
            }
            var label = m.Slice(p + 1, len).ToArray();
            if (lowerCase)
            {
                for (var i = 0; i < label.Length; i++)
                {
                    label[i] = WireName.Lower(label[i]);
                }
            }
            labels.Add(label);
            p += 1 + len;
        }
        throw new FormatException("compression loop");
    }
}
