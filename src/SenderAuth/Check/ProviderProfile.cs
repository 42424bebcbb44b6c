using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SenderAuth.Check;

/// <summary>One DKIM selector the provider asks institutions to delegate: the name in their zone and the target in ours.</summary>
/// <param name="Name">The selector name in the institution's zone (<c>&lt;name&gt;._domainkey.&lt;domain&gt;</c>).</param>
/// <param name="Target">The label under the provider's DKIM zone the CNAME points at; may contain <c>{code}</c>.</param>
public sealed record ProviderSelector(string Name, string Target);

/// <summary>
/// What the sending platform expects of every institution's DNS (a JSON file; later the server's configuration).
/// <c>{code}</c> in <see cref="ProviderSelector.Target"/>, <see cref="ReportAddress"/> and <see cref="MailFromDomain"/>
/// is replaced by the institution code, <c>{domain}</c> by the institution's domain.
/// </summary>
public sealed record ProviderProfile
{
    /// <summary>The provider's DKIM zone, e.g. dkim.ticketing.example: selectors point at &lt;target&gt;._domainkey.&lt;dkimZone&gt;.</summary>
    public required string DkimZone { get; init; }

    /// <summary>The host institutions include in SPF, e.g. spf.ticketing.example.</summary>
    public required string SpfInclude { get; init; }

    /// <summary>The provider's sending networks (CIDR); each must pass check_host for the institution's domain.</summary>
    public IReadOnlyList<string> SendingIps { get; init; } = [];

    /// <summary>The DKIM selectors every institution delegates; at least one.</summary>
    public required IReadOnlyList<ProviderSelector> Selectors { get; init; }

    /// <summary>
    /// The selectors of the Ed25519 key (RFC 8463) a domain delegates beside the RSA ones when it signs with both;
    /// none (the default) when it signs with RSA only. Checked and published exactly like <see cref="Selectors"/>.
    /// </summary>
    public IReadOnlyList<ProviderSelector> Ed25519Selectors { get; init; } = [];

    /// <summary>Every selector the domain delegates: the RSA ones first, then the Ed25519 ones.</summary>
    public IEnumerable<ProviderSelector> AllSelectors() => Selectors.Concat(Ed25519Selectors ?? []);

    /// <summary>The rua= address the provider reads, e.g. mailto:{code}@rua.ticketing.example; null when none.</summary>
    public string? ReportAddress { get; init; }

    /// <summary>A custom MAIL FROM (Return-Path) domain such as bounce.{domain}; null when the provider's own is used.</summary>
    public string? MailFromDomain { get; init; }

    /// <summary>The MX host of the custom MAIL FROM domain (where bounces go); null when not given, and no MX is proposed.</summary>
    public string? MailFromMx { get; init; }

    /// <summary>Reads and validates a profile; problems are a FormatException naming the field.</summary>
    public static ProviderProfile Load(string path)
    {
        ProviderProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize(File.ReadAllText(path), ProfileJsonContext.Default.ProviderProfile);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
        if (profile is null)
        {
            throw new FormatException($"{path}: the profile is empty");
        }
        // The source-generated reader sets init-only properties that are absent from the JSON to null, not to
        // their initializers: an optional "sendingIps" left out must mean none, not a crash.
        profile = profile with { SendingIps = profile.SendingIps ?? [], Ed25519Selectors = profile.Ed25519Selectors ?? [] };
        profile.Validate(path);
        return profile;
    }

    /// <summary>Checks names, selectors, networks and addresses; throws <see cref="FormatException"/> naming the field and <paramref name="source"/>.</summary>
    public void Validate(string source = "profile")
    {
        if (DkimZone is null || SpfInclude is null || !Dns.DnsName.IsValid(DkimZone) || !Dns.DnsName.IsValid(SpfInclude))
        {
            throw new FormatException($"{source}: dkimZone and spfInclude must be domain names");
        }
        if (Selectors is not { Count: > 0 } || Selectors.Any(s => s is null || string.IsNullOrWhiteSpace(s.Name) || string.IsNullOrWhiteSpace(s.Target)))
        {
            throw new FormatException($"{source}: selectors needs at least one {{\"name\", \"target\"}}");
        }
        if (Ed25519Selectors is { Count: > 0 } ed)
        {
            if (ed.Any(s => s is null || string.IsNullOrWhiteSpace(s.Name) || string.IsNullOrWhiteSpace(s.Target)))
            {
                throw new FormatException($"{source}: ed25519Selectors needs {{\"name\", \"target\"}} in each entry");
            }
            var names = AllSelectors().Select(s => s.Name.ToLowerInvariant()).ToList();
            var targets = AllSelectors().Select(s => s.Target).ToList();
            if (names.Distinct().Count() != names.Count || targets.Distinct(StringComparer.Ordinal).Count() != targets.Count)
            {
                throw new FormatException($"{source}: the ed25519Selectors must differ from the selectors and from each other, in name and in target");
            }
        }
        foreach (var cidr in SendingIps ?? [])
        {
            if (cidr is null || !IPNetwork.TryParse(cidr, out _))
            {
                throw new FormatException($"{source}: sendingIps: \"{cidr}\" is not a CIDR network");
            }
        }
        if (MailFromMx is not null && !Dns.DnsName.IsValid(MailFromMx))
        {
            throw new FormatException($"{source}: mailFromMx must be a domain name");
        }
        if (ReportAddress is not null && !ReportAddress.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"{source}: reportAddress must be a mailto: URI");
        }
    }

    /// <paramref name="template"/> with <c>{code}</c> and <c>{domain}</c> replaced (ordinal, every occurrence).
    public string Expand(string template, string code, string domain) =>
        template.Replace("{code}", code, StringComparison.Ordinal).Replace("{domain}", domain, StringComparison.Ordinal);

    /// <summary>The CNAME target a selector must point at: &lt;target&gt;._domainkey.&lt;dkimZone&gt;.</summary>
    public string SelectorTarget(ProviderSelector s, string code, string domain) =>
        $"{Expand(s.Target, code, domain)}._domainkey.{Dns.DnsName.Normalize(DkimZone)}";
}

/// <summary>Source-generated reader: the engine stays trimming- and AOT-safe.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ProviderProfile))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
