using System.Net;
using Microsoft.Extensions.Options;
using SenderAuth.Dns;

namespace SenderAuth.Server.Hosting;

/// <summary>Checks the configuration at start, naming the setting and the fix; the server does not start otherwise.</summary>
/// <param name="enums">Unknown words for enum settings, found before binding (<see cref="EnumSettings"/>).</param>
public sealed class ServerOptionsValidator(EnumSettings? enums = null) : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(enums?.Problems ?? []);
        errors.AddRange(options.Dashboard.Validate());
        var db = options.Database;
        if (db == DatabaseKind.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("SenderAuth:ConnectionString is required with Database=postgres (Npgsql form: Host=…;Database=…;Username=…;Password=…)");
        }
        if (db == DatabaseKind.Postgres && options.MasterKey is null)
        {
            errors.Add("SenderAuth:MasterKey (SENDERAUTH_MASTER_KEY) is required with Database=postgres: every instance sharing the database must seal and open keys with the same master key");
        }
        if (options.MasterKey is { } mk && !IsKey(mk))
        {
            errors.Add("SenderAuth:MasterKey (SENDERAUTH_MASTER_KEY) must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)");
        }
        if (options.OperatorKey is { Length: < 24 })
        {
            errors.Add("SenderAuth:OperatorKey (SENDERAUTH_OPERATOR_KEY) is too short: use at least 24 random characters");
        }
        ValidateProvider(options.Provider, errors);
        ValidatePublishing(options.Publishing, errors);
        foreach (var server in options.Resolver.Servers.Concat(options.Resolver.Forward.Values).Concat(options.Resolver.Dnssec is { } v ? [v] : []))
        {
            if (!TryEndpoint(server, 53, out _))
            {
                errors.Add($"SenderAuth:Resolver: \"{server}\" is not IP[:PORT]");
            }
        }
        foreach (var zone in options.Resolver.Forward.Keys.Where(z => !DnsName.IsValid(z)))
        {
            errors.Add($"SenderAuth:Resolver:Forward: \"{zone}\" is not a domain name");
        }
        if (options.Resolver.TimeoutSeconds is <= 0 or > 60)
        {
            errors.Add("SenderAuth:Resolver:TimeoutSeconds must be in (0, 60]");
        }
        if (options.Limits.MaxMessageBytes is < 1024 or > 1L << 30)
        {
            errors.Add("SenderAuth:Limits:MaxMessageBytes must be between 1 KiB and 1 GiB");
        }
        if (options.Limits.RequestsPerSecond <= 0 || options.Limits.Burst <= 0 || options.Limits.MaxPageSize <= 0)
        {
            errors.Add("SenderAuth:Limits: RequestsPerSecond, Burst and MaxPageSize must be positive");
        }
        options.Milter.Validate(errors);
        errors.AddRange(options.Monitoring.Validate());
        options.Notifications.Validate(errors);
        errors.AddRange(options.Reports.Problems());
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateProvider(ProviderOptions p, List<string> errors)
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
            p.Profile(customMailFrom: true).Validate("SenderAuth:Provider");
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
    }

    private static void ValidatePublishing(PublishingSettings p, List<string> errors)
    {
        switch (p.Mode)
        {
            case PublishingMode.BuiltIn:
                if (!TryListen(p.Dns, out _))
                {
                    errors.Add($"SenderAuth:Publishing:Dns (--dns) \"{p.Dns}\" is not ADDR:PORT");
                }
                break;
            case PublishingMode.Rfc2136:
                if (p.Rfc2136Server is null || !TryEndpoint(p.Rfc2136Server, 53, out _))
                {
                    errors.Add("SenderAuth:Publishing:Rfc2136Server must be the primary's IP[:PORT] with Mode=rfc2136");
                }
                if (string.IsNullOrWhiteSpace(p.TsigKeyName) || !IsBase64(p.TsigSecret))
                {
                    errors.Add("SenderAuth:Publishing:TsigKeyName and TsigSecret (base64) are required with Mode=rfc2136: unsigned updates are not sent");
                }
                break;
            default:
                break;
        }
    }

    internal static bool TryEndpoint(string text, int defaultPort, out IPEndPoint endpoint)
    {
        try
        {
            endpoint = NetworkDnsResolverOptions.ParseEndpoint(text, defaultPort);
            return true;
        }
        catch (FormatException)
        {
            endpoint = new IPEndPoint(IPAddress.None, 0);
            return false;
        }
    }

    /// <summary>A listening address: like a server address, but port 0 (pick a free one) is allowed.</summary>
    internal static bool TryListen(string text, out IPEndPoint endpoint)
    {
        var anyPort = text.EndsWith(":0", StringComparison.Ordinal);
        if (!TryEndpoint(anyPort ? text[..^2] : text, 53, out endpoint))
        {
            return false;
        }
        if (anyPort)
        {
            endpoint = new IPEndPoint(endpoint.Address, 0);
        }
        return true;
    }

    private static bool IsKey(string text) => IsBase64(text) && Convert.FromBase64String(text).Length == 32;

    private static bool IsBase64(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }
}
