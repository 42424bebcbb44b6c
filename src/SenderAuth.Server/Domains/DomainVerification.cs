using System.Security.Cryptography;
using SenderAuth.Dns;

namespace SenderAuth.Server.Domains;

/// <summary>
/// Proof that an institution controls a sender domain: the DKIM CNAMEs a check finds pointing at our keys, or a
/// TXT record <c>_senderauth-challenge.&lt;domain&gt;</c> holding <c>senderauth-challenge=&lt;token&gt;</c>, with a
/// token of the domain (or of a claim on it) that only the API shows to that institution.
/// </summary>
public static class DomainVerification
{
    private const string Prefix = "senderauth-challenge=";

    /// <summary>Where the challenge TXT record goes.</summary>
    public static string ChallengeName(string domain) => "_senderauth-challenge." + domain;

    /// <summary>What the challenge TXT record holds.</summary>
    public static string ChallengeValue(string token) => Prefix + token;

    /// <summary>A fresh token: 160 random bits in hex, unguessable and safe in a TXT record.</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>Whether every selector's CNAME is in DNS and points at its own target in the provider zone.</summary>
    public static async Task<bool> DelegatedAsync(IDnsResolver dns, IReadOnlyList<Onboarding.RecordToPublish> cnames, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(cnames);
        foreach (var cname in cnames)
        {
            var answer = await dns.QueryAsync(cname.Name, DnsRecordType.Cname, ct).ConfigureAwait(false);
            if (!answer.Of<CnameRecord>().Any(r => DnsName.Normalize(r.Target) == DnsName.Normalize(cname.Value)))
            {
                return false;
            }
        }
        return cnames.Count > 0;
    }

    /// <summary>Whether DNS serves the challenge for <paramref name="token"/> at the domain (any TXT of the name).</summary>
    public static async Task<bool> ChallengeFoundAsync(IDnsResolver dns, string domain, string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dns);
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }
        var answer = await dns.QueryAsync(ChallengeName(domain), DnsRecordType.Txt, ct).ConfigureAwait(false);
        var expected = ChallengeValue(token);
        return answer.Of<TxtRecord>().Any(t => string.Equals(t.Text.Trim(), expected, StringComparison.Ordinal));
    }
}
