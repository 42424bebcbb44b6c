using SenderAuth.Check;

namespace SenderAuth.Store.Hosting;

/// <summary>The provider zone and what every institution must publish (the engine's provider profile).</summary>
public sealed class ProviderOptions
{
    /// <summary>The provider's zone, served by the built-in DNS server or updated by RFC 2136.</summary>
    public string Zone { get; set; } = "ticketing.example";
    public string DkimZone { get; set; } = "dkim.ticketing.example";
    public string SpfInclude { get; set; } = "spf.ticketing.example";
    /// <summary>The provider's sending networks (CIDR). Default, when none are configured: the documentation networks.</summary>
    public List<string> SendingIps { get; set; } = [];
    /// <summary>The two selectors keys rotate between. Default, when none are configured: stxsel1 → sel1-{code}, stxsel2 → sel2-{code}.</summary>
    public List<ProviderSelector> Selectors { get; set; } = [];
    public string? ReportAddress { get; set; } = "mailto:{code}@rua.ticketing.example";
    /// <summary>The custom MAIL FROM domain offered to domains that enable it, e.g. bounce.{domain}.</summary>
    public string MailFromDomain { get; set; } = "bounce.{domain}";
    /// <summary>The MX host of the custom MAIL FROM domain (where bounces go).</summary>
    public string MailFromMx { get; set; } = "feedback.ticketing.example";
    public int RsaBits { get; set; } = 2048;
    public int KeyTtl { get; set; } = 3600;
    /// <summary>Selector of the provider's own key, used by the SignWithProviderDomain policy (d= the provider zone).</summary>
    public string OwnSelector { get; set; } = "stxprovider";

    /// <summary>
    /// Fills the lists left empty. Defaults cannot sit in the initializers: the configuration binder appends to a
    /// list it finds filled, so configured networks would come on top of the defaults.
    /// </summary>
    public void ApplyDefaults()
    {
        if (SendingIps.Count == 0)
        {
            SendingIps.AddRange(["203.0.113.0/24", "2001:db8:25::/48"]);
        }
        if (Selectors.Count == 0)
        {
            Selectors.AddRange([new("stxsel1", "sel1-{code}"), new("stxsel2", "sel2-{code}")]);
        }
    }

    /// <summary>
    /// Where each selector's key lives in the provider zone for a domain (sel1-mosa._domainkey.dkim.…), in selector
    /// order; the first names the pair's rotation. Targets hold the institution code, so an institution's domains
    /// share them unless the template holds {domain}.
    /// </summary>
    public IReadOnlyList<(ProviderSelector Selector, string Target)> KeyTargets(string code, string domain)
    {
        var profile = Profile(false);
        return profile.Selectors.Select(s => (s, profile.SelectorTarget(s, code, domain))).ToList();
    }

    public ProviderProfile Profile(bool customMailFrom) => new()
    {
        DkimZone = DkimZone,
        SpfInclude = SpfInclude,
        SendingIps = SendingIps,
        Selectors = Selectors,
        ReportAddress = ReportAddress,
        MailFromDomain = customMailFrom ? MailFromDomain : null,
        MailFromMx = customMailFrom ? MailFromMx : null,
    };
}
