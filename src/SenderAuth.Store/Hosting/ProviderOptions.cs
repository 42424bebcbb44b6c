using SenderAuth.Check;
using SenderAuth.Dkim;

namespace SenderAuth.Store.Hosting;

/// <summary>The provider zone and what every institution must publish (the engine's provider profile).</summary>
public sealed class ProviderOptions
{
    /// <summary>The provider's zone, served by the built-in DNS server or updated by RFC 2136.</summary>
    public string Zone { get; set; } = "ticketing.example";
    /// <summary>The zone under which institutions' DKIM selectors point (their CNAME targets, sel1-{code}._domainkey.DkimZone).</summary>
    public string DkimZone { get; set; } = "dkim.ticketing.example";
    /// <summary>The name institutions include in their SPF record (include:SpfInclude); it lists SendingIps.</summary>
    public string SpfInclude { get; set; } = "spf.ticketing.example";
    /// <summary>The provider's sending networks (CIDR). Default, when none are configured: the documentation networks.</summary>
    public List<string> SendingIps { get; set; } = [];
    /// <summary>The two selectors keys rotate between. Default, when none are configured: stxsel1 → sel1-{code}, stxsel2 → sel2-{code}.</summary>
    public List<ProviderSelector> Selectors { get; set; } = [];
    /// <summary>
    /// The two selectors the Ed25519 key pair (RFC 8463) of a domain that signs with both rotates between, named
    /// like the RSA ones with "ed" for "sel". Default, when none are configured: stxed1 → ed1-{code}, stxed2 → ed2-{code}.
    /// </summary>
    public List<ProviderSelector> Ed25519Selectors { get; set; } = [];
    /// <summary>
    /// Whether a domain may add an Ed25519 signature beside the RSA one (per domain, off until turned on through the
    /// API). False: turning it on is refused, and domains that had it sign with RSA only and are not asked for its CNAMEs.
    /// </summary>
    public bool AllowEd25519 { get; set; } = true;
    /// <summary>Where institutions' DMARC aggregate reports go (rua=), {code} the institution; null: no rua= asked for.</summary>
    public string? ReportAddress { get; set; } = "mailto:{code}@rua.ticketing.example";
    /// <summary>The custom MAIL FROM domain offered to domains that enable it, e.g. bounce.{domain}.</summary>
    public string MailFromDomain { get; set; } = "bounce.{domain}";
    /// <summary>The MX host of the custom MAIL FROM domain (where bounces go).</summary>
    public string MailFromMx { get; set; } = "feedback.ticketing.example";
    /// <summary>Size of generated RSA keys; within Quotas:MinRsaBits..MaxRsaBits.</summary>
    public int RsaBits { get; set; } = 2048;
    /// <summary>TTL (seconds) of the key records in the provider zone; a rotation waits at least this long after DNS serves a new key.</summary>
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
        if (Ed25519Selectors.Count == 0)
        {
            Ed25519Selectors.AddRange([new("stxed1", "ed1-{code}"), new("stxed2", "ed2-{code}")]);
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

    /// <summary>The same for the Ed25519 pair (<see cref="Ed25519Selectors"/>), whether or not it is allowed.</summary>
    public IReadOnlyList<(ProviderSelector Selector, string Target)> Ed25519KeyTargets(string code, string domain)
    {
        var profile = Profile(false);
        return Ed25519Selectors.Select(s => (s, profile.SelectorTarget(s, code, domain))).ToList();
    }

    /// <summary>The pair of targets keys of <paramref name="type"/> rotate between for a domain.</summary>
    public IReadOnlyList<(ProviderSelector Selector, string Target)> KeyTargets(string code, string domain, DkimKeyType type) =>
        type == DkimKeyType.Ed25519 ? Ed25519KeyTargets(code, domain) : KeyTargets(code, domain);

    /// <summary>Every key target a domain's keys live at: the RSA pair, then the Ed25519 pair when <paramref name="ed25519"/>.</summary>
    public IEnumerable<string> DomainKeyTargets(string code, string domain, bool ed25519) =>
        KeyTargets(code, domain).Concat(ed25519 ? Ed25519KeyTargets(code, domain) : []).Select(t => t.Target);

    /// <summary>The profile a domain is checked against and publishes by.</summary>
    /// <param name="customMailFrom">The domain uses the custom MAIL FROM domain.</param>
    /// <param name="ed25519">The domain signs with Ed25519 too: its selectors are asked for (when <see cref="AllowEd25519"/>).</param>
    public ProviderProfile Profile(bool customMailFrom, bool ed25519 = false) => new()
    {
        Ed25519Selectors = ed25519 && AllowEd25519 ? Ed25519Selectors : [],
        DkimZone = DkimZone,
        SpfInclude = SpfInclude,
        SendingIps = SendingIps,
        Selectors = Selectors,
        ReportAddress = ReportAddress,
        MailFromDomain = customMailFrom ? MailFromDomain : null,
        MailFromMx = customMailFrom ? MailFromMx : null,
    };
}
