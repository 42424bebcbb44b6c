using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Publishing;

/// <summary>The DNS the domain check reads institutions' zones through.</summary>
public sealed class ResolverOptions
{
    /// <summary>Recursive resolvers (IP[:PORT]); empty: the system's.</summary>
    public List<string> Servers { get; set; } = [];
    /// <summary>Zones answered by a given server instead (zone → IP[:PORT]), like unbound's forward-zone.</summary>
    public Dictionary<string, string> Forward { get; set; } = [];
    /// <summary>How long one DNS query of a check may take, in seconds.</summary>
    [Range(0d, 60d, MinimumIsExclusive = true)]
    public double TimeoutSeconds { get; set; } = 3;
    /// <summary>
    /// A validating resolver (IP[:PORT]) the domain checks ask about DNSSEC (the AD bit, SERVFAIL for bogus); unset,
    /// the default, the checks skip DNSSEC: a non-validating resolver cannot tell secure from insecure.
    /// </summary>
    public string? Dnssec { get; set; }
}
