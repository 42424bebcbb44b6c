using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Publishing;

/// <summary>How the provider zone is published (built-in DNS address and rate limits, RFC 2136 server and TSIG), checked at start.</summary>
public sealed class PublishingSettingsValidator : IValidateOptions<PublishingSettings>
{
    public ValidateOptionsResult Validate(string? name, PublishingSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Check(options, errors);
        return SectionProblems.Result(errors);
    }

    private static void Check(PublishingSettings p, List<string> errors)
    {
        switch (p.Mode)
        {
            case PublishingMode.BuiltIn:
                if (!ServerOptionsValidator.TryListen(p.Dns, out _))
                {
                    errors.Add($"SenderAuth:Publishing:Dns (--dns) \"{p.Dns}\" is not ADDR:PORT");
                }
                errors.AddRange(p.DnsRateLimit.Problems());
                break;
            case PublishingMode.Rfc2136:
                if (p.Rfc2136Server is null || !ServerOptionsValidator.TryEndpoint(p.Rfc2136Server, 53, out _))
                {
                    errors.Add("SenderAuth:Publishing:Rfc2136Server must be the primary's IP[:PORT] with Mode=rfc2136");
                }
                if (string.IsNullOrWhiteSpace(p.TsigKeyName) || !ServerOptionsValidator.IsBase64(p.TsigSecret))
                {
                    errors.Add("SenderAuth:Publishing:TsigKeyName and TsigSecret (base64) are required with Mode=rfc2136: unsigned updates are not sent");
                }
                break;
            default:
                break;
        }
    }
}
