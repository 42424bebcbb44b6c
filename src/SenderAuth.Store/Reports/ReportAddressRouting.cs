using System.Text.RegularExpressions;

namespace SenderAuth.Store.Reports;

/// <summary>
/// Reads the institution code back out of a report mail's recipient: the rua address every institution publishes
/// is <c>Provider:ReportAddress</c> with <c>{code}</c> filled in (PublishPlan), so the mailbox a report was sent
/// to names the institution that asked for it. Null when the template has no <c>{code}</c> (one shared mailbox)
/// or no recipient matches it.
/// </summary>
public sealed class ReportAddressRouting
{
    private readonly Regex? _pattern;

    public ReportAddressRouting(string? reportAddress)
    {
        if (reportAddress is null || !reportAddress.Contains("{code}", StringComparison.Ordinal))
        {
            return;
        }
        // mailto:{code}@rua.example!10m?subject=… : the address alone, as PublishPlan.ReportHost reads it.
        var address = reportAddress.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? reportAddress[7..] : reportAddress;
        address = address.Split('!', '?')[0];
        var regex = Regex.Escape(address)
            .Replace(Regex.Escape("{code}"), "(?<code>[a-z0-9-]{2,32})", StringComparison.Ordinal)
            .Replace(Regex.Escape("{domain}"), "[^@]+", StringComparison.Ordinal);
        _pattern = new Regex("^" + regex + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>The institution code named by the first recipient that matches, lower case.</summary>
    public string? Code(IEnumerable<string> recipients)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        if (_pattern is null)
        {
            return null;
        }
        foreach (var r in recipients)
        {
            if (_pattern.Match(r) is { Success: true } m)
            {
                return m.Groups["code"].Value.ToLowerInvariant();
            }
        }
        return null;
    }
}
