using System.Net;
using SenderAuth.Dns;
using SenderAuth.Parsing;

namespace SenderAuth.Spf;

/// <summary>
/// RFC 7208 check_host() (<see cref="CheckHostAsync"/>) and the two identities a receiver checks
/// (<see cref="CheckMailFromAsync"/>, <see cref="CheckHeloAsync"/>). Thread-safe; one instance serves any
/// number of concurrent checks, and parsed records are cached by their text.
/// </summary>
/// <remarks>
/// Every limit of §4.6.4 is enforced: DNS-querying terms, void lookups, MX and PTR names, and a wall-clock
/// bound. DNS failures are temperror, never exceptions; only cancellation by the caller throws.
/// </remarks>
public sealed partial class SpfEvaluator
{
    /// <summary>
    /// The parse cache's byte budget: 32 MiB, twice the default, because a parsed SPF record keeps a few small objects
    /// per term (about 2.7 KiB for an ordinary 100-character record of five terms), so 10,000 ordinary records still fit.
    /// </summary>
    internal const long ParseCacheBytes = 32L * 1024 * 1024;

    internal static readonly BoundedParseCache<(SpfRecord? Record, SpfSyntaxError? Error)> ParsedRecords =
        new(maxBytes: ParseCacheBytes, sizeOf: static v => ParsedSize(v.Record, v.Error), isFailure: static v => v.Record is null);

    private readonly IDnsResolver _resolver;
    private readonly SpfOptions _options;
    private readonly TimeProvider _time;

    /// <summary>An evaluator asking <paramref name="resolver"/>; options are validated here.</summary>
    /// <param name="resolver">Where every DNS answer comes from.</param>
    /// <param name="options">Limits (lookups, void lookups, time) and names; RFC 7208 defaults when null.</param>
    /// <param name="timeProvider">Clock for the <c>%{t}</c> macro of explanations; the system's by default. (The
    /// wall-clock bound of <see cref="SpfOptions.Timeout"/> runs on the system timer.)</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SpfEvaluator(IDnsResolver resolver, SpfOptions? options = null, TimeProvider? timeProvider = null)
    {
        _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        _options = options ?? new SpfOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The options in effect (after defaults).</summary>
    public SpfOptions Options => _options;

    /// <summary>
    /// Checks the MAIL FROM identity (RFC 7208 §2.4); with an empty (null) reverse-path, checks
    /// <c>postmaster@HELO</c> as RFC 7208 §2.4 requires.
    /// </summary>
    public ValueTask<SpfOutcome> CheckMailFromAsync(IPAddress clientIp, string? mailFrom, string? helo, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(mailFrom) || mailFrom == "<>")
        {
            return CheckHeloAsync(clientIp, helo ?? string.Empty, cancellationToken);
        }
        var address = mailFrom.Trim('<', '>');
        var at = address.LastIndexOf('@');
        var domain = at < 0 ? address : address[(at + 1)..];
        return CheckAsync(clientIp, domain, address, helo, SpfIdentity.MailFrom, cancellationToken);
    }

    /// <summary>Checks the HELO identity (RFC 7208 §2.3): sender <c>postmaster@HELO</c>.</summary>
    public ValueTask<SpfOutcome> CheckHeloAsync(IPAddress clientIp, string helo, CancellationToken cancellationToken = default) =>
        CheckAsync(clientIp, helo, "postmaster@" + helo, helo, SpfIdentity.Helo, cancellationToken);

    /// <summary>The check_host(ip, domain, sender) function of RFC 7208 §4.</summary>
    public ValueTask<SpfOutcome> CheckHostAsync(IPAddress clientIp, string domain, string sender, string? helo = null, CancellationToken cancellationToken = default) =>
        CheckAsync(clientIp, domain, sender, helo, SpfIdentity.MailFrom, cancellationToken);

    private async ValueTask<SpfOutcome> CheckAsync(IPAddress clientIp, string domain, string sender, string? helo, SpfIdentity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientIp);
        // An IPv4-mapped IPv6 client is an IPv4 client (RFC 7208 §5: "ip4" and "a" compare IPv4 addresses).
        var ip = clientIp.IsIPv4MappedToIPv6 ? clientIp.MapToIPv4() : clientIp;
        var check = new SpfCheck(this, ip, sender, helo);
        if (sender.Length > SpfLimits.MaxIdentityLength || helo?.Length > SpfLimits.MaxIdentityLength)
        {
            return Outcome(Verdict.Of(SpfResult.PermError, SpfReason.LimitExceeded,
                $"the sender or HELO name is longer than {SpfLimits.MaxIdentityLength} characters", domain), check, domain, ip, sender, helo, identity);
        }
        Verdict verdict;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.Timeout);
            try
            {
                verdict = IsCheckableDomain(domain)
                    ? await CheckHostCoreAsync(DnsName.Normalize(domain), check, timeout.Token).ConfigureAwait(false)
                    : Verdict.Of(SpfResult.None, SpfReason.InvalidDomain, $"\"{domain}\" is not a valid multi-label domain name (RFC 7208 §4.3)", domain);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                verdict = Verdict.Of(SpfResult.TempError, SpfReason.DnsFailure, $"the check took longer than {_options.Timeout.TotalSeconds:0.#} s", domain);
            }
        }
        return Outcome(verdict, check, domain, ip, sender, helo, identity);
    }

    private static SpfOutcome Outcome(Verdict verdict, SpfCheck check, string domain, IPAddress ip, string sender, string? helo, SpfIdentity identity) =>
        new()
        {
            Result = verdict.Result,
            Reason = verdict.Reason,
            Detail = verdict.Detail,
            Domain = domain,
            DecidingDomain = verdict.Domain,
            Mechanism = verdict.Mechanism,
            Explanation = verdict.Explanation,
            SyntaxError = verdict.Syntax,
            DnsLookups = check.DnsLookups,
            VoidLookups = check.VoidLookups,
            ClientIp = ip,
            Sender = sender,
            Helo = helo,
            Identity = identity,
        };

    /// <summary>RFC 7208 §4.3: a syntactically valid, multi-label name; anything else is "none" without a query.</summary>
    private static bool IsCheckableDomain(string domain) =>
        DnsName.IsValid(domain) && domain.TrimEnd('.').Contains('.', StringComparison.Ordinal) && !domain.StartsWith('[');

    private async ValueTask<Verdict> CheckHostCoreAsync(string domain, SpfCheck check, CancellationToken ct)
    {
        var (record, early) = await FindRecordAsync(domain, ct).ConfigureAwait(false);
        if (record is null)
        {
            return early!.Value;
        }
        var outer = check.Domain;
        check.Domain = domain;
        try
        {
            foreach (var mechanism in record.Mechanisms)
            {
                // The time bound ends the work here, not after the loop: a record has up to thousands of terms.
                ct.ThrowIfCancellationRequested();
                if (mechanism.QueriesDns && ++check.DnsLookups > _options.MaxDnsLookups)
                {
                    return TooManyLookups(domain);
                }
                var match = await MatchAsync(mechanism, check, ct).ConfigureAwait(false);
                if (match.Error is { } error)
                {
                    return error;
                }
                if (match.Matched)
                {
                    var result = mechanism.Qualifier.ToResult();
                    var explanation = result == SpfResult.Fail && record.Explanation is not null
                        ? await ExplainAsync(record.Explanation, check, ct).ConfigureAwait(false)
                        : null;
                    return new Verdict(result, SpfReason.MechanismMatched, $"mechanism \"{mechanism.Text}\" matched", domain, mechanism.Text, explanation, null);
                }
            }
            if (record.Redirect is { } redirect)
            {
                if (++check.DnsLookups > _options.MaxDnsLookups)
                {
                    return TooManyLookups(domain);
                }
                var (target, tooLong) = await ExpandDomainAsync(redirect.Value, check, ct).ConfigureAwait(false);
                if (tooLong)
                {
                    return ExpansionTooLong($"redirect={redirect.Value.Text}", domain);
                }
                var inner = target is null
                    ? Verdict.Of(SpfResult.None, SpfReason.InvalidDomain, $"redirect target \"{redirect.Value}\" is not a valid domain name", domain)
                    : await CheckHostCoreAsync(target, check, ct).ConfigureAwait(false);
                return inner.Result == SpfResult.None
                    ? Verdict.Of(SpfResult.PermError, SpfReason.IncludeOrRedirectWithoutRecord, $"redirect={target ?? redirect.Value.Text}: {inner.Detail}", domain)
                    : inner;
            }
            return Verdict.Of(SpfResult.Neutral, SpfReason.NoMatch, "no mechanism matched and there is no redirect", domain);
        }
        finally
        {
            check.Domain = outer;
        }
    }

    private Verdict TooManyLookups(string domain) =>
        Verdict.Of(SpfResult.PermError, SpfReason.TooManyDnsLookups, $"more than {_options.MaxDnsLookups} DNS-querying terms (RFC 7208 §4.6.4)", domain);

    /// <summary>RFC 7208 §4.4-4.5: exactly one "v=spf1" TXT record, parsed.</summary>
    private async ValueTask<(SpfRecord? Record, Verdict? Early)> FindRecordAsync(string domain, CancellationToken ct)
    {
        var answer = await _resolver.QueryAsync(domain, DnsRecordType.Txt, ct).ConfigureAwait(false);
        if (answer.IsTemporaryFailure)
        {
            return (null, Verdict.Of(SpfResult.TempError, SpfReason.DnsFailure, $"TXT lookup of {domain}: {DescribeStatus(answer.Status)}", domain));
        }
        string? text = null;
        var count = 0;
        foreach (var txt in answer.Of<TxtRecord>())
        {
            var candidate = txt.Text;
            if (SpfParser.IsSpfRecord(candidate))
            {
                text = candidate;
                count++;
            }
        }
        if (count == 0)
        {
            return (null, Verdict.Of(SpfResult.None, SpfReason.NoRecord, $"{domain} publishes no SPF record", domain));
        }
        if (count > 1)
        {
            return (null, Verdict.Of(SpfResult.PermError, SpfReason.MultipleRecords, $"{domain} publishes {count} SPF records (RFC 7208 §4.5)", domain));
        }
        if (text!.Length > SpfLimits.MaxRecordLength)
        {
            return (null, Verdict.Of(SpfResult.PermError, SpfReason.LimitExceeded,
                $"the SPF record of {domain} has {text.Length} characters, more than {SpfLimits.MaxRecordLength}", domain));
        }
        var (record, error) = Parse(text);
        return record is null
            ? (null, new Verdict(SpfResult.PermError, SpfReason.SyntaxError, $"the SPF record of {domain} is invalid {error}", domain, null, null, error))
            : (record, null);
    }

    /// <summary>Parses through a bounded cache: the same ESP records are evaluated for every message.</summary>
    internal static (SpfRecord? Record, SpfSyntaxError? Error) Parse(string text) =>
        ParsedRecords.GetOrAdd(text, static t => (SpfParser.Parse(t, out var error), error));

    /// <summary>
    /// What a parse keeps alive beyond its key (the record shares the key's string): each term's text, its
    /// macro-string text and literals are copies of a piece of the record (three copies of the text at most), and each
    /// term costs a few small objects (term, macro-string, parts: about 256 bytes).
    /// </summary>
    internal static long ParsedSize(SpfRecord? record, SpfSyntaxError? error) => record is null
        ? 64 + (2L * (error?.Reason.Length ?? 0))
        : 128 + (3L * 2 * record.Text.Length) + (256L * (record.Mechanisms.Count + record.OtherModifiers.Count + 2));

    internal static string DescribeStatus(DnsStatus status) => status switch
    {
        DnsStatus.Timeout => "DNS timeout",
        DnsStatus.ServFail => "DNS server failure",
        DnsStatus.NxDomain => "no such domain",
        DnsStatus.NoData => "no record of that type",
        _ => "answered",
    };

    /// <summary>How one evaluation ended, before the counters are attached.</summary>
    private readonly record struct Verdict(
        SpfResult Result, SpfReason Reason, string Detail, string Domain, string? Mechanism, string? Explanation, SpfSyntaxError? Syntax)
    {
        public static Verdict Of(SpfResult result, SpfReason reason, string detail, string domain) =>
            new(result, reason, detail, domain, null, null, null);
    }
}

public sealed partial class SpfEvaluator
{
    internal DateTimeOffset Now => _time.GetUtcNow();
}
