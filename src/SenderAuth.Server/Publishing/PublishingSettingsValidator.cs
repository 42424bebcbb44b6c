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
                if (ServerOptionsValidator.TryListen(p.Dns, out var listen))
                {
                    // The built-in server's own checks (rate limits among them), so a bad one exits 2 here rather
                    // than 70 when the server is built.
                    errors.AddRange(PublisherSetup.BuiltInDns(p, listen).Problems().Select(Named));
                }
                else
                {
                    errors.Add($"SenderAuth:Publishing:Dns (--dns) \"{p.Dns}\" is not ADDR:PORT");
                    errors.AddRange(p.DnsRateLimit.Problems());
                }
                break;
            case PublishingMode.Rfc2136:
                Rfc2136(p, errors);
                break;
            case PublishingMode.ZoneFile when p.ZoneFile is not null:
                // Unset, the file goes into the data folder, which start-up creates.
                errors.AddRange(new ZoneFileOptions { Path = p.ZoneFile }.Problems().Select(Named));
                break;
            default:
                break;
        }
    }

    private static void Rfc2136(PublishingSettings p, List<string> errors)
    {
        if (p.Rfc2136Server is null || !ServerOptionsValidator.TryEndpoint(p.Rfc2136Server, 53, out _))
        {
            errors.Add("SenderAuth:Publishing:Rfc2136Server must be the primary's IP[:PORT] with Mode=rfc2136");
        }
        // The publisher's own checks of the key (name, algorithm through TsigAlgorithms, secret) and the timeout,
        // every one listed here so that `serve` exits 2 with all of them rather than 70 when the publisher is built.
        errors.AddRange(PublisherSetup.Rfc2136(p, server: null).KeyProblems().Select(Named));
    }

    /// <summary>A publisher's sentence, placed in the configuration section it came from.</summary>
    private static string Named(string problem) =>
        problem.StartsWith("SenderAuth:", StringComparison.Ordinal) ? problem : "SenderAuth:Publishing: " + problem;
}
