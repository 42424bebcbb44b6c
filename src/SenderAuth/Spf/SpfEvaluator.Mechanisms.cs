using System.Net;
using System.Net.Sockets;
using SenderAuth.Dns;

namespace SenderAuth.Spf;

public sealed partial class SpfEvaluator
{
    private readonly record struct Match(bool Matched, Verdict? Error)
    {
        public static readonly Match Yes = new(true, null);
        public static readonly Match No = new(false, null);
    }

    /// <summary>RFC 7208 §5: does one mechanism match the client?</summary>
    private async ValueTask<Match> MatchAsync(SpfMechanism mechanism, SpfCheck check, CancellationToken ct)
    {
        switch (mechanism.Kind)
        {
            case SpfMechanismKind.All:
                return Match.Yes;
            case SpfMechanismKind.Ip4:
            case SpfMechanismKind.Ip6:
                return IpPrefix.Matches(check.Ip, mechanism.Network!, check.IsV6 ? mechanism.Cidr6 : mechanism.Cidr4) ? Match.Yes : Match.No;
        }
        var (target, tooLong) = mechanism.DomainSpec is null ? (check.Domain, false) : await ExpandDomainAsync(mechanism.DomainSpec, check, ct).ConfigureAwait(false);
        if (tooLong)
        {
            return new Match(false, ExpansionTooLong(mechanism.Text, check.Domain));
        }
        if (target is null)
        {
            // A domain-spec that expands to an invalid name can exist in DNS no more than an NXDOMAIN one.
            return CountVoid(check, mechanism) ?? Match.No;
        }
        return mechanism.Kind switch
        {
            SpfMechanismKind.Include => await IncludeAsync(mechanism, target, check, ct).ConfigureAwait(false),
            SpfMechanismKind.A => await AddressMatchAsync(mechanism, target, check, ct).ConfigureAwait(false),
            SpfMechanismKind.Mx => await MxAsync(mechanism, target, check, ct).ConfigureAwait(false),
            SpfMechanismKind.Ptr => await PtrAsync(target, check, ct).ConfigureAwait(false) ? Match.Yes : Match.No,
            _ => await ExistsAsync(mechanism, target, check, ct).ConfigureAwait(false),
        };
    }

    /// <summary>§5.2: pass matches; fail, softfail and neutral do not; none is permerror; errors propagate.</summary>
    private async ValueTask<Match> IncludeAsync(SpfMechanism mechanism, string target, SpfCheck check, CancellationToken ct)
    {
        var inner = await CheckHostCoreAsync(target, check, ct).ConfigureAwait(false);
        return inner.Result switch
        {
            SpfResult.Pass => Match.Yes,
            SpfResult.Fail or SpfResult.SoftFail or SpfResult.Neutral => Match.No,
            SpfResult.None => new Match(false, Verdict.Of(SpfResult.PermError, SpfReason.IncludeOrRedirectWithoutRecord,
                $"\"{mechanism.Text}\": {inner.Detail} (RFC 7208 §5.2)", check.Domain)),
            _ => new Match(false, inner),
        };
    }

    private async ValueTask<Match> AddressMatchAsync(SpfMechanism mechanism, string target, SpfCheck check, CancellationToken ct)
    {
        var answer = await _resolver.QueryAsync(target, check.AddressType, ct).ConfigureAwait(false);
        if (Failed(answer, mechanism, target, check) is { } failed)
        {
            return failed;
        }
        return AnyAddressMatches(answer, mechanism, check) ? Match.Yes : Match.No;
    }

    private async ValueTask<Match> MxAsync(SpfMechanism mechanism, string target, SpfCheck check, CancellationToken ct)
    {
        var answer = await _resolver.QueryAsync(target, DnsRecordType.Mx, ct).ConfigureAwait(false);
        if (Failed(answer, mechanism, target, check) is { } failed)
        {
            return failed;
        }
        var exchanges = answer.Of<MxRecord>().ToList();
        if (exchanges.Count > _options.MaxMxNames)
        {
            return new Match(false, Verdict.Of(SpfResult.PermError, SpfReason.TooManyMxNames,
                $"\"{mechanism.Text}\": {target} has {exchanges.Count} MX names, more than {_options.MaxMxNames} (RFC 7208 §4.6.4)", check.Domain));
        }
        foreach (var mx in exchanges)
        {
            var addresses = await _resolver.QueryAsync(mx.Exchange, check.AddressType, ct).ConfigureAwait(false);
            if (addresses.IsTemporaryFailure)
            {
                return TempError(mechanism, mx.Exchange, addresses.Status, check);
            }
            if (AnyAddressMatches(addresses, mechanism, check))
            {
                return Match.Yes;
            }
        }
        return Match.No;
    }

    private async ValueTask<Match> ExistsAsync(SpfMechanism mechanism, string target, SpfCheck check, CancellationToken ct)
    {
        // §5.7: always an A query, whatever the client's address family.
        var answer = await _resolver.QueryAsync(target, DnsRecordType.A, ct).ConfigureAwait(false);
        return Failed(answer, mechanism, target, check) ?? Match.Yes;
    }

    /// <summary>§5.5: validated PTR names equal to or under the target; DNS errors make it not match.</summary>
    private async ValueTask<bool> PtrAsync(string target, SpfCheck check, CancellationToken ct)
    {
        foreach (var name in await check.PtrNamesAsync(ct).ConfigureAwait(false))
        {
            if (DnsName.IsSubdomainOf(name, target) && await IsValidatedAsync(name, check, ct).ConfigureAwait(false))
            {
                return true;
            }
        }
        return false;
    }

    private async ValueTask<bool> IsValidatedAsync(string name, SpfCheck check, CancellationToken ct)
    {
        var answer = await _resolver.QueryAsync(name, check.AddressType, ct).ConfigureAwait(false);
        return answer.Of<AddressRecord>().Any(a => a.Address.Equals(check.Ip));
    }

    /// <summary>The validated domain name of the client (§7.3 %{p}): preferring one under the current domain.</summary>
    internal async ValueTask<string> ValidatedNameAsync(SpfCheck check, CancellationToken ct)
    {
        string? any = null;
        foreach (var name in await check.PtrNamesAsync(ct).ConfigureAwait(false))
        {
            if (!await IsValidatedAsync(name, check, ct).ConfigureAwait(false))
            {
                continue;
            }
            if (DnsName.IsSubdomainOf(name, check.Domain))
            {
                return name;
            }
            any ??= name;
        }
        return any ?? "unknown";
    }

    internal async ValueTask<IReadOnlyList<string>> LookupPtrNamesAsync(SpfCheck check, CancellationToken ct)
    {
        var answer = await _resolver.QueryAsync(DnsName.ReverseName(check.Ip), DnsRecordType.Ptr, ct).ConfigureAwait(false);
        if (answer.IsEmpty)
        {
            CountVoid(check, null);
        }
        return answer.Of<PtrRecord>().Take(_options.MaxPtrNames).Select(p => DnsName.Normalize(p.Target)).ToList();
    }

    private static bool AnyAddressMatches(DnsAnswer answer, SpfMechanism mechanism, SpfCheck check)
    {
        var prefix = check.IsV6 ? mechanism.Cidr6 : mechanism.Cidr4;
        foreach (var a in answer.Of<AddressRecord>())
        {
            if (IpPrefix.Matches(check.Ip, a.Address, prefix))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Temporary failures end the check (§5); empty answers count as void lookups (§4.6.4).</summary>
    private Match? Failed(DnsAnswer answer, SpfMechanism mechanism, string target, SpfCheck check)
    {
        if (answer.IsTemporaryFailure)
        {
            return TempError(mechanism, target, answer.Status, check);
        }
        return answer.IsEmpty ? CountVoid(check, mechanism) ?? Match.No : null;
    }

    private static Match TempError(SpfMechanism mechanism, string name, DnsStatus status, SpfCheck check) =>
        new(false, Verdict.Of(SpfResult.TempError, SpfReason.DnsFailure, $"\"{mechanism.Text}\": lookup of {name}: {DescribeStatus(status)}", check.Domain));

    private Match? CountVoid(SpfCheck check, SpfMechanism? mechanism)
    {
        if (++check.VoidLookups <= _options.MaxVoidLookups)
        {
            return null;
        }
        var where = mechanism is null ? string.Empty : $" at \"{mechanism.Text}\"";
        return new Match(false, Verdict.Of(SpfResult.PermError, SpfReason.TooManyVoidLookups,
            $"more than {_options.MaxVoidLookups} void DNS lookups{where} (RFC 7208 §4.6.4)", check.Domain));
    }

    /// <summary>
    /// Expands a domain-spec, shortening it to 253 characters from the left (§7.3); Name is null when invalid,
    /// TooLong when the expansion passes <see cref="SpfLimits.MaxMacroExpansionLength"/>.
    /// </summary>
    /// <remarks>
    /// The cut is found once: dropping whole labels from the left until at most 253 characters remain ends at the
    /// first dot at or after index Length - 254. Dropping one label per Substring, as this did, was quadratic: a
    /// 3.2 KB record of <c>%{d}.</c> against a 120-label domain cost 5 s and 11.7 GiB of allocation per check.
    /// </remarks>
    private static async ValueTask<(string? Name, bool TooLong)> ExpandDomainAsync(SpfMacroString spec, SpfCheck check, CancellationToken ct)
    {
        var name = await spec.ExpandAsync(check, ct).ConfigureAwait(false);
        if (name is null)
        {
            return (null, true);
        }
        return (ShortenDomain(name), false);
    }

    /// <summary>§7.3: without a trailing dot, cut to at most 253 characters at a label boundary; null when invalid.</summary>
    internal static string? ShortenDomain(string name)
    {
        var length = name.EndsWith('.') ? name.Length - 1 : name.Length;
        var start = 0;
        if (length > DnsName.MaxLength)
        {
            var dot = name.IndexOf('.', length - DnsName.MaxLength - 1, DnsName.MaxLength + 1);
            if (dot < 0)
            {
                return null;
            }
            start = dot + 1;
        }
        var cut = start == 0 && length == name.Length ? name : name.Substring(start, length - start);
        return DnsName.IsValid(cut) ? DnsName.Normalize(cut) : null;
    }

    private static Verdict ExpansionTooLong(string term, string domain) =>
        Verdict.Of(SpfResult.PermError, SpfReason.LimitExceeded,
            $"\"{term}\" expands to more than {SpfLimits.MaxMacroExpansionLength} characters", domain);

    /// <summary>§6.2: the exp= text; any problem (DNS, not exactly one TXT, bad macro) means no explanation.</summary>
    private async ValueTask<string?> ExplainAsync(SpfModifier exp, SpfCheck check, CancellationToken ct)
    {
        var (target, _) = await ExpandDomainAsync(exp.Value, check, ct).ConfigureAwait(false);
        if (target is null)
        {
            return null;
        }
        var answer = await _resolver.QueryAsync(target, DnsRecordType.Txt, ct).ConfigureAwait(false);
        var records = answer.Of<TxtRecord>().ToList();
        if (records.Count != 1)
        {
            return null;
        }
        var text = SpfMacroString.TryParse(records[0].Text, 1, allowSpace: true, out _);
        if (text is null)
        {
            return null;
        }
        check.InExplanation = true;
        try
        {
            return await text.ExpandAsync(check, ct).ConfigureAwait(false);
        }
        finally
        {
            check.InExplanation = false;
        }
    }
}

/// <summary>The state of one check: counters, the current domain, and the macro values (RFC 7208 §7.2).</summary>
internal sealed class SpfCheck(SpfEvaluator evaluator, IPAddress ip, string sender, string? helo) : ISpfMacroValues
{
    private IReadOnlyList<string>? _ptrNames;
    private string? _validatedName;

    public IPAddress Ip { get; } = ip;

    public bool IsV6 { get; } = ip.AddressFamily == AddressFamily.InterNetworkV6;

    public DnsRecordType AddressType => IsV6 ? DnsRecordType.Aaaa : DnsRecordType.A;

    public string Domain { get; set; } = string.Empty;

    public int DnsLookups { get; set; }

    public int VoidLookups { get; set; }

    public bool InExplanation { get; set; }

    public async ValueTask<IReadOnlyList<string>> PtrNamesAsync(CancellationToken ct) =>
        _ptrNames ??= await evaluator.LookupPtrNamesAsync(this, ct).ConfigureAwait(false);

    // Computed once per check, not once per macro: a record may hold thousands of %{l} and %{o}.
    private string? _localPart;
    private string? _senderDomain;

    public async ValueTask<string> GetAsync(char letter, CancellationToken cancellationToken)
    {
        switch (letter)
        {
            case 's': return sender;
            case 'l': return _localPart ??= sender.LastIndexOf('@') is var at && at > 0 ? sender[..at] : "postmaster";
            case 'o': return _senderDomain ??= sender.LastIndexOf('@') is var at2 && at2 >= 0 ? sender[(at2 + 1)..] : sender;
            case 'd': return Domain;
            case 'i': return IsV6 ? Nibbles() : Ip.ToString();
            case 'v': return IsV6 ? "ip6" : "in-addr";
            case 'h': return string.IsNullOrEmpty(helo) ? "unknown" : helo;
            case 'p': return _validatedName ??= await evaluator.ValidatedNameAsync(this, cancellationToken).ConfigureAwait(false);
            case 'c' when InExplanation: return Ip.ToString();
            case 'r' when InExplanation: return evaluator.Options.ReceiverName;
            case 't' when InExplanation: return evaluator.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            default: return string.Empty;
        }
    }

    private string Nibbles()
    {
        var bytes = Ip.GetAddressBytes();
        var chars = new char[63];
        for (var i = 0; i < 16; i++)
        {
            chars[i * 4] = Hex(bytes[i] >> 4);
            chars[(i * 4) + 2] = Hex(bytes[i] & 0xF);
            if (i * 4 + 1 < chars.Length)
            {
                chars[(i * 4) + 1] = '.';
            }
            if (i * 4 + 3 < chars.Length)
            {
                chars[(i * 4) + 3] = '.';
            }
        }
        return new string(chars);
    }

    private static char Hex(int v) => (char)(v < 10 ? '0' + v : 'a' + v - 10);
}
