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
    /// <summary>Says whether the answer for <paramref name="name"/>/<paramref name="type"/> is DNSSEC-secure, insecure,
    /// bogus or undetermined, with the zone it belongs to. Failures are results; only cancellation throws.</summary>
    /// <param name="name">The name receivers look up, e.g. a domain (TXT for SPF) or a DKIM key name.</param>
    /// <param name="type">The type receivers ask for.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    ValueTask<DnssecResult> ProbeAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default);
}

/// <summary>
/// Reads DNSSEC validation from the configured resolver, which must validate (unbound, BIND, Knot Resolver or a
/// public validating resolver): the AD flag of an answer asked with the DO bit means secure; SERVFAIL that turns
/// into an answer when asked again with CD (checking disabled) means bogus; an answer without AD means insecure,
/// and the zone's DNSKEY and its parent's DS tell "unsigned" from "signed, but the chain is not set up". This class
/// does no cryptography: the trust anchor is the resolver's (unbound's <c>trust-anchor-file</c>, the root by
/// default). DnsClient cannot set CD, so those re-asks go through <see cref="DnsSec.NetworkDnssecTransport"/>.
/// </summary>
public sealed class NetworkDnssecProbe : IDnssecProbe
{
    private const ushort SoaType = 6;
    private const ushort DnskeyType = 48;
    private const ushort CnameType = 5;
    private readonly LookupClient _client;
    private readonly DnsSec.NetworkDnssecTransport _checkingDisabled;

    /// <summary>A probe asking the servers of <paramref name="options"/>, which must validate DNSSEC.</summary>
    public NetworkDnssecProbe(NetworkDnsResolverOptions? options = null)
    {
        options ??= new NetworkDnsResolverOptions();
        var servers = options.Servers.Count > 0 ? options.Servers.ToArray() : NetworkDnsResolver.SystemServers(options.Port);
        _checkingDisabled = new DnsSec.NetworkDnssecTransport(new NetworkDnsResolverOptions { Servers = servers, Timeout = options.Timeout, Retries = 0 });
        _client = new LookupClient(new LookupClientOptions(servers)
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

    /// <inheritdoc/>
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

    /// <summary>The same question with the CD bit (RFC 4035 §3.2.2), which DnsClient cannot set: sent by the DNSSEC
    /// validator's transport (UDP, TCP when truncated). Null when no server answered NOERROR or NXDOMAIN.</summary>
    private async Task<RawAnswer?> AskCheckingDisabledAsync(string name, ushort type, CancellationToken ct)
    {
        var qname = DnsSec.WireName.Parse(name);
        var m = await _checkingDisabled.QueryAsync(qname, type, ct).ConfigureAwait(false);
        if (m is null)
        {
            return null;
        }
        var soa = m.Answers.Concat(m.Authority).FirstOrDefault(r => r.Type == SoaType)?.Owner.Text;
        return new RawAnswer(m.RCode, m.Answers.Count, soa is null ? null : DnsName.Normalize(soa),
            m.Answers.Any(r => r.Type == CnameType && r.Owner.Equals(qname)));
    }
}
