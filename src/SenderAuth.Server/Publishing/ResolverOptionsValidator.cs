using Microsoft.Extensions.Options;
using SenderAuth.Dns;

namespace SenderAuth.Server.Publishing;

/// <summary>The resolver section at start: every server an address, every forward zone a domain name.</summary>
public sealed class ResolverOptionsValidator : IValidateOptions<ResolverOptions>
{
    public ValidateOptionsResult Validate(string? name, ResolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach (var server in options.Servers.Concat(options.Forward.Values).Concat(options.Dnssec is { } v ? [v] : []))
        {
            if (!ServerOptionsValidator.TryEndpoint(server, 53, out _))
            {
                errors.Add($"SenderAuth:Resolver: \"{server}\" is not IP[:PORT]");
            }
        }
        foreach (var zone in options.Forward.Keys.Where(z => !DnsName.IsValid(z)))
        {
            errors.Add($"SenderAuth:Resolver:Forward: \"{zone}\" is not a domain name");
        }
        // Resolver:TimeoutSeconds is a [Range] attribute, checked by OptionRangeValidator.
        return SectionProblems.Result(errors);
    }
}
