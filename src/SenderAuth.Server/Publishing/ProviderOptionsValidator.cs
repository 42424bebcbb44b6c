using SenderAuth.Dns;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Publishing;

/// <summary>The provider profile (zone, DKIM zone, SPF include, selectors, key size), checked at start.</summary>
public sealed class ProviderOptionsValidator : IValidateOptions<ProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, ProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Check(options, errors);
        return SectionProblems.Result(errors);
    }

    private static void Check(ProviderOptions p, List<string> errors)
    {
        foreach (var (key, value) in new[] { ("Zone", p.Zone), ("DkimZone", p.DkimZone), ("SpfInclude", p.SpfInclude), ("MailFromMx", p.MailFromMx) })
        {
            if (!DnsName.IsValid(value))
            {
                errors.Add($"SenderAuth:Provider:{key} \"{value}\" is not a domain name");
            }
        }
        var zone = DnsName.Normalize(p.Zone);
        foreach (var (key, value) in new[] { ("DkimZone", p.DkimZone), ("SpfInclude", p.SpfInclude) })
        {
            if (DnsName.IsValid(value) && !DnsName.IsSubdomainOf(DnsName.Normalize(value), zone))
            {
                errors.Add($"SenderAuth:Provider:{key} \"{value}\" must be inside the provider zone {zone}, which SenderAuth publishes");
            }
        }
        if (p.RsaBits is < 1024 or > 4096)
        {
            errors.Add("SenderAuth:Provider:RsaBits must be between 1024 and 4096 (RFC 8301)");
        }
        if (p.KeyTtl is < 60 or > 86400)
        {
            errors.Add("SenderAuth:Provider:KeyTtl must be between 60 and 86400 seconds");
        }
        try
        {
            // With the Ed25519 selectors, whether allowed or not: a domain may turn them on while they are allowed.
            (p.Profile(customMailFrom: true) with { Ed25519Selectors = p.Ed25519Selectors }).Validate("SenderAuth:Provider");
        }
        catch (FormatException e)
        {
            errors.Add(e.Message);
        }
        if (p.Selectors.Count != 2 || p.Selectors.Select(s => s.Name.ToLowerInvariant()).Distinct().Count() != 2
            || p.Selectors.Any(s => !s.Target.Contains("{code}", StringComparison.Ordinal) && !s.Target.Contains("{domain}", StringComparison.Ordinal)))
        {
            errors.Add("SenderAuth:Provider:Selectors needs exactly two selectors with distinct names (keys rotate between them), each target holding {code} or {domain}");
        }
        if (p.Ed25519Selectors.Count != 2 || p.Ed25519Selectors.Select(s => s.Name.ToLowerInvariant()).Distinct().Count() != 2
            || p.Ed25519Selectors.Any(s => !s.Target.Contains("{code}", StringComparison.Ordinal) && !s.Target.Contains("{domain}", StringComparison.Ordinal)))
        {
            errors.Add("SenderAuth:Provider:Ed25519Selectors needs exactly two selectors with distinct names (the Ed25519 key rotates between them), each target holding {code} or {domain}");
        }
    }
}
