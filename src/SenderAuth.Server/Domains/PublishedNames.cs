using SenderAuth.Dns;
using SenderAuth.Onboarding;

namespace SenderAuth.Server.Domains;

/// <summary>
/// Every DNS name the platform will publish, or ask the institution to publish, for one sender domain, checked
/// before the domain is saved: a name over 253 characters (or with a label over 63) cannot exist in DNS, and
/// saving a domain that produces one used to make the whole provider zone unpublishable for every tenant.
/// </summary>
/// <remarks>
/// The names come from the engine's <see cref="PublishPlan"/> decisions (one decision per fact): the selector
/// CNAMEs and their targets (the key names in the provider zone), the DMARC record, the custom MAIL FROM (checked
/// even when off: it can be switched on later) and the report-authorisation record.
/// </remarks>
public static class PublishedNames
{
    /// <summary>The first name that cannot be published, as a sentence naming the record, or null when all fit.</summary>
    public static string? Problem(string domain, string code, ProviderOptions provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        foreach (var (what, name) in Names(domain, code, provider))
        {
            var n = DnsName.Normalize(name);
            if (DnsName.IsValid(n))
            {
                continue;
            }
            var longLabel = n.Split('.').FirstOrDefault(l => l.Length > 63);
            if (longLabel is not null)
            {
                return $"the {what} {n} would have the label \"{longLabel}\" of {longLabel.Length} characters; DNS allows 63";
            }
            var overhead = n.Length - domain.Length;
            return $"the {what} {n} would be {n.Length} characters long; DNS allows 253, so on this platform a sender domain "
                + $"can have at most {Math.Max(0, 253 - overhead)} characters (this one has {domain.Length})";
        }
        return null;
    }

    /// <summary>Each name with the record it belongs to, in words for the error message.</summary>
    public static IEnumerable<(string What, string Name)> Names(string domain, string code, ProviderOptions provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        // With the Ed25519 selectors: a domain may turn them on later, and their names must fit too.
        var profile = provider.Profile(customMailFrom: true) with { Ed25519Selectors = provider.Ed25519Selectors };
        foreach (var selector in profile.AllSelectors())
        {
            var cname = PublishPlan.Dkim(domain, code, profile, selector);
            yield return ($"DKIM selector record (CNAME) for {selector.Name}", cname.Name);
            yield return ($"DKIM key record (selector target) for {selector.Name}", cname.Value);
        }
        yield return ("DMARC record", PublishPlan.Dmarc(domain, code, profile, null).Name);
        foreach (var mailFrom in PublishPlan.MailFrom(domain, code, profile).Select(r => r.Name).Distinct(StringComparer.Ordinal))
        {
            yield return ("custom MAIL FROM record", mailFrom);
        }
        if (provider.ReportAddress is { } address && PublishPlan.ReportAuthorisation(domain, address) is { } authorisation)
        {
            yield return ("report-authorisation record", authorisation.Name);
        }
        yield return ("ownership challenge record", DomainVerification.ChallengeName(domain));
    }
}
