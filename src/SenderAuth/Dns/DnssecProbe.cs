using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;
using DnsClient.Protocol;

namespace SenderAuth.Dns;

/// <summary>What a validating resolver says about a name.</summary>
public enum DnssecStatus
{
    /// <summary>The resolver validated the answer (AD flag) from its trust anchor.</summary>
    Secure,

    /// <summary>A plain answer without AD: the zone is unsigned, or signed without a DS in its parent.</summary>
    Insecure,

    /// <summary>The resolver fails the name (SERVFAIL) but answers it with checking disabled (CD): validation fails.</summary>
    Bogus,

    /// <summary>Could not tell: the resolver did not answer, failed even with CD, or does not validate.</summary>
    Indeterminate,
}

/// <summary>The DNSSEC status of one name, and what was learnt about its zone.</summary>
/// <param name="Name">The name probed (normalized).</param>
/// <param name="Status">What the validating resolver said.</param>
public sealed record DnssecResult(string Name, DnssecStatus Status)
{
    /// <summary>The apex of the zone the name is in (the owner of the SOA that came back), when found.</summary>
    public string? ZoneApex { get; init; }

    /// <summary>The zone apex publishes DNSKEY records (asked with CD, so also known for bogus zones).</summary>
    public bool ZoneSigned { get; init; }

    /// <summary>The parent publishes a DS record for the zone apex.</summary>
    public bool ParentHasDs { get; init; }

    /// <summary>Why the status is not secure, in a few words (for the resolver probe: only when indeterminate).</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// The reason token from our own validation (<c>signature-expired</c>, <c>ds-mismatch</c>, <c>no-ds</c>…, see
    /// <see cref="SenderAuth.Dns.DnsSec.DnssecReason"/>); null from a validating resolver, which does not say why.
    /// </summary>
    public string? Reason { get; init; }
}

/// <summary>Asks a validating resolver whether a name's answers are DNSSEC-secure. Failures are data, not exceptions.</summary>
public interface IDnssecProbe
{
    /// <param name="name">The name receivers look up, e.g. a domain (TXT for SPF) or a DKIM key name.</param>
    /// <param name="type">The type receivers ask for.</param>
    ValueTask<DnssecResult> ProbeAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default);
}

/// <summary>
/// Reads DNSSEC validation from the configured resolver, which must validate (unbound, BIND, Knot Resolver or a
/// public validating resolver): the AD flag of an answer asked with the DO bit means secure; SERVFAIL that turns
/// into an answer when asked again with CD (checking disabled) means bogus; an answer without AD means insecure,
/// and the zone's DNSKEY and its parent's DS tell "unsigned" from "signed, but the chain is not set up". This class
/// does no cryptography: the trust anchor is the resolver's (unbound's <c>trust-anchor-file</c>, the root by
/// default). DnsClient cannot set CD, so those re-asks are sent as small hand-built queries.
/// </summary>
public sealed class NetworkDnssecProbe : IDnssecProbe
{
    private const ushort SoaType = 6;
    private const ushort DnskeyType = 48;
    private const ushort CnameType = 5;
    private readonly LookupClient _client;
    private readonly IPEndPoint[] _servers;
    private readonly TimeSpan _timeout;

    public NetworkDnssecProbe(NetworkDnsResolverOptions? options = null)
    {
        options ??= new NetworkDnsResolverOptions();
        _servers = options.Servers.Count > 0 ? options.Servers.ToArray() : NetworkDnsResolver.SystemServers(options.Port);
        _timeout = options.Timeout;
        _client = new LookupClient(new LookupClientOptions(_servers)
        {
            Timeout = options.Timeout,
            Retries = options.Retries,
            UseTcpFallback = true,
            UseCache = false,
            ThrowDnsErrors = false,
            // A SERVFAIL is the answer we look for (bogus), not a reason to ask the next server.
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
            EnableAuditTrail = false,
            RequestDnsSecRecords = true,
        });
    }

    public async ValueTask<DnssecResult> ProbeAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!DnsName.IsValid(name))
        {
            return new DnssecResult(name, DnssecStatus.Indeterminate) { Detail = "not a valid domain name" };
        }
        name = DnsName.Normalize(name);
        var response = await AskAsync(name, (QueryType)(ushort)type, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return new DnssecResult(name, DnssecStatus.Indeterminate) { Detail = "timeout" };
        }
        var code = (DnsHeaderResponseCode)response.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.ServerFailure)
        {
            var checkingDisabled = await AskCheckingDisabledAsync(name, (ushort)type, cancellationToken).ConfigureAwait(false);
            if (checkingDisabled is not { RCode: 0 or 3 })
            {
                return new DnssecResult(name, DnssecStatus.Indeterminate) { Detail = "server failure, also with checking disabled" };
            }
            var apexCd = await ApexCheckingDisabledAsync(name, cancellationToken).ConfigureAwait(false);
            var signedCd = apexCd is not null && (await AskCheckingDisabledAsync(apexCd, DnskeyType, cancellationToken).ConfigureAwait(false))?.Answers > 0;
            return new DnssecResult(name, DnssecStatus.Bogus) { ZoneApex = apexCd, ZoneSigned = signedCd };
        }
        if (code is not (DnsHeaderResponseCode.NoError or DnsHeaderResponseCode.NotExistentDomain))
        {
            return new DnssecResult(name, DnssecStatus.Indeterminate) { Detail = $"the resolver answered {code}" };
        }
        var apex = await ApexAsync(name, followAlias: false, cancellationToken).ConfigureAwait(false);
        if (response.Header.IsAuthenticData)
        {
            return new DnssecResult(name, DnssecStatus.Secure) { ZoneApex = apex, ZoneSigned = true, ParentHasDs = true };
        }
        if (apex is null)
        {
            return new DnssecResult(name, DnssecStatus.Indeterminate) { Detail = "the zone apex (SOA) was not found" };
        }
        // Which zone breaks the chain: the name's own, or (for an alias) the zone the answer ends in. Zones of
        // intermediate aliases in longer chains are not examined.
        var end = await ApexAsync(name, followAlias: true, cancellationToken).ConfigureAwait(false);
        foreach (var zone in end is null || end == apex ? [apex] : new[] { apex, end })
        {
            var signed = await HasAsync(zone, QueryType.DNSKEY, cancellationToken).ConfigureAwait(false);
            var ds = signed == true && zone.Contains('.', StringComparison.Ordinal)
                ? await HasAsync(zone, QueryType.DS, cancellationToken).ConfigureAwait(false)
                : false;
            if (signed is null || ds is null)
            {
                return new DnssecResult(name, DnssecStatus.Indeterminate) { ZoneApex = zone, Detail = "the zone's DNSKEY or DS could not be read" };
            }
            if (!ds.Value)
            {
                return new DnssecResult(name, DnssecStatus.Insecure) { ZoneApex = zone, ZoneSigned = signed.Value };
            }
        }
        // Signed and delegated with a DS, yet no AD: the resolver does not validate (or a parent is insecure).
        return new DnssecResult(name, DnssecStatus.Indeterminate)
        {
            ZoneApex = apex, ZoneSigned = true, ParentHasDs = true,
            Detail = "the zone is signed and has a DS, but the resolver did not validate it: use a validating resolver",
        };
    }

    /// <summary>
    /// The apex of the zone holding the name: the owner of the SOA that comes back for it (its own, or the one in the
    /// authority section). A CNAME cannot be at an apex and its SOA answer describes the target's zone, so for an
    /// alias the parent name is asked instead, unless <paramref name="followAlias"/> asks for the zone the alias ends in.
    /// </summary>
    private async Task<string?> ApexAsync(string name, bool followAlias, CancellationToken ct)
    {
        for (var n = name; n.Length > 0; n = Parent(n))
        {
            var response = await AskAsync(n, QueryType.SOA, ct).ConfigureAwait(false);
            if (response is null)
            {
                return null;
            }
            if (!followAlias && response.Answers.OfType<CNameRecord>().Any(c => Same(c.DomainName.Value, n)))
            {
                continue;
            }
            var soa = response.Answers.OfType<DnsClient.Protocol.SoaRecord>().LastOrDefault()
                ?? response.Authorities.OfType<DnsClient.Protocol.SoaRecord>().FirstOrDefault();
            return soa is null ? null : DnsName.Normalize(soa.DomainName.Value);
        }
        return null;
    }

    /// <summary><see cref="ApexAsync"/> with checking disabled, for bogus names (the resolver fails them otherwise).</summary>
    private async Task<string?> ApexCheckingDisabledAsync(string name, CancellationToken ct)
    {
        for (var n = name; n.Length > 0; n = Parent(n))
        {
            var answer = await AskCheckingDisabledAsync(n, SoaType, ct).ConfigureAwait(false);
            if (answer is null || !answer.AliasAtName)
            {
                return answer?.SoaOwner;
            }
        }
        return null;
    }

    private static string Parent(string name) => name.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0 ? name[(dot + 1)..] : string.Empty;

    /// <summary>Whether records of the type exist at the name; null when the resolver did not answer.</summary>
    private async Task<bool?> HasAsync(string name, QueryType type, CancellationToken ct)
    {
        var response = await AskAsync(name, type, ct).ConfigureAwait(false);
        if (response is null)
        {
            return null;
        }
        return (DnsHeaderResponseCode)response.Header.ResponseCode switch
        {
            DnsHeaderResponseCode.NoError => response.Answers.Any(r => r.RecordType == (ResourceRecordType)type && Same(r.DomainName.Value, name)),
            DnsHeaderResponseCode.NotExistentDomain => false,
            _ => null,
        };
    }

    private static bool Same(string a, string b) => DnsName.Normalize(a) == DnsName.Normalize(b);

    private async Task<IDnsQueryResponse?> AskAsync(string name, QueryType type, CancellationToken ct)
    {
        try
        {
            return await _client.QueryAsync(name + ".", type, QueryClass.IN, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException("DNS query cancelled", ex, ct);
        }
#pragma warning disable CA1031 // Failures are data: the caller reports "could not check".
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private sealed record RawAnswer(int RCode, int Answers, string? SoaOwner, bool AliasAtName);

    /// <summary>The same question with the CD bit (RFC 4035 §3.2.2), which DnsClient cannot set; UDP, then TCP when truncated.</summary>
    private async Task<RawAnswer?> AskCheckingDisabledAsync(string name, ushort type, CancellationToken ct)
    {
        var query = BuildQuery(name, type, out var id);
        foreach (var server in _servers)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_timeout);
            try
            {
                var reply = await UdpAsync(server, query, id, timeout.Token).ConfigureAwait(false);
                if ((reply[2] & 0x02) != 0)
                {
                    reply = await TcpAsync(server, query, timeout.Token).ConfigureAwait(false);
                }
                return Parse(reply, id, name);
            }
            catch (Exception ex) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException("DNS query cancelled", ex, ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or FormatException)
            {
                // Next server.
            }
        }
        return null;
    }

    private static byte[] BuildQuery(string name, ushort type, out ushort id)
    {
        id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        var buffer = new List<byte>(64);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        header[2] = 0x01; // RD
        header[3] = 0x10; // CD
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], 1); // QDCOUNT
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], 1); // ARCOUNT: OPT
        buffer.AddRange(header.ToArray());
        foreach (var label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            buffer.Add((byte)bytes.Length);
            buffer.AddRange(bytes);
        }
        buffer.Add(0);
        buffer.AddRange([(byte)(type >> 8), (byte)type, 0, 1]);
        // OPT: root owner, type 41, UDP size 4096, extended RCODE 0, version 0, DO bit, no options.
        buffer.AddRange([0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0x00, 0, 0]);
        return [.. buffer];
    }

    private static async Task<byte[]> UdpAsync(IPEndPoint server, byte[] query, ushort id, CancellationToken ct)
    {
        using var udp = new UdpClient(server.AddressFamily);
        udp.Connect(server);
        await udp.SendAsync(query, ct).ConfigureAwait(false);
        while (true)
        {
            var result = await udp.ReceiveAsync(ct).ConfigureAwait(false);
            if (result.Buffer.Length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(result.Buffer) == id)
            {
                return result.Buffer;
            }
        }
    }

    private static async Task<byte[]> TcpAsync(IPEndPoint server, byte[] query, CancellationToken ct)
    {
        using var tcp = new TcpClient(server.AddressFamily);
        await tcp.ConnectAsync(server, ct).ConfigureAwait(false);
        var stream = tcp.GetStream();
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await stream.WriteAsync(framed, ct).ConfigureAwait(false);
        var length = new byte[2];
        await stream.ReadExactlyAsync(length, ct).ConfigureAwait(false);
        var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        await stream.ReadExactlyAsync(reply, ct).ConfigureAwait(false);
        return reply;
    }

    /// <summary>RCODE, answer count, the owner of the first SOA in the answer or authority section, and whether the name is an alias.</summary>
    private static RawAnswer Parse(byte[] m, ushort id, string name)
    {
        if (m.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(m) != id)
        {
            throw new FormatException("not the answer to our query");
        }
        var rcode = m[3] & 0x0F;
        var qd = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(4));
        var an = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(6));
        var ns = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(8));
        var pos = 12;
        for (var i = 0; i < qd; i++)
        {
            ReadName(m, ref pos);
            pos += 4;
        }
        string? soa = null;
        var alias = false;
        for (var i = 0; i < an + ns && soa is null; i++)
        {
            var owner = ReadName(m, ref pos);
            if (pos + 10 > m.Length)
            {
                throw new FormatException("truncated record");
            }
            var type = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(pos));
            var rdLength = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(pos + 8));
            pos += 10 + rdLength;
            if (type == SoaType)
            {
                soa = owner;
            }
            alias |= i < an && type == CnameType && owner == name;
        }
        return new RawAnswer(rcode, an, soa, alias);
    }

    private static string ReadName(byte[] m, ref int pos)
    {
        var labels = new List<string>();
        var p = pos;
        var jumped = false;
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
                    throw new FormatException("truncated pointer");
                }
                if (!jumped)
                {
                    pos = p + 2;
                    jumped = true;
                }
                p = ((len & 0x3F) << 8) | m[p + 1];
                continue;
            }
            if (len == 0)
            {
                if (!jumped)
                {
                    pos = p + 1;
                }
                return labels.Count == 0 ? "." : DnsName.Normalize(string.Join('.', labels));
            }
            if (p + 1 + len > m.Length)
            {
                throw new FormatException("label runs past the message");
            }
            labels.Add(Encoding.ASCII.GetString(m, p + 1, len));
            p += 1 + len;
        }
        throw new FormatException("compression loop");
    }
}
