using System.Net;

namespace SenderAuth.Server.Milter;

/// <summary>
/// One entry of Milter:PeerInstitutions: SMTP clients from <see cref="Network"/> and/or authenticated as
/// <see cref="AuthIdentity"/> send as <see cref="Institution"/> only. With both set, both must match.
/// </summary>
public sealed class MilterPeerInstitution
{
    /// <summary>The SMTP client's network (CIDR or one address), from SMFIC_CONNECT or the <c>{client_addr}</c> macro.</summary>
    public string? Network { get; set; }

    /// <summary>The SMTP AUTH identity (the <c>{auth_authen}</c> macro), compared ignoring case.</summary>
    public string? AuthIdentity { get; set; }

    /// <summary>The institution's code.</summary>
    public string Institution { get; set; } = "";

    internal string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Institution))
        {
            return "Institution (an institution code) is required";
        }
        if (string.IsNullOrWhiteSpace(Network) && string.IsNullOrWhiteSpace(AuthIdentity))
        {
            return "give Network (CIDR of the SMTP clients) and/or AuthIdentity (SMTP AUTH user): an entry matching everyone would stand for no one";
        }
        return Network is { } n && !string.IsNullOrWhiteSpace(n) && !NetworkList.TryParse(n, out _)
            ? $"Network \"{n}\" is not a network in CIDR form (e.g. 192.0.2.0/24) or an address"
            : null;
    }

    internal bool Matches(IPAddress? client, string? authIdentity)
    {
        if (!string.IsNullOrWhiteSpace(Network)
            && (client is null || !NetworkList.TryParse(Network, out var network) || !NetworkList.Contains([network], client)))
        {
            return false;
        }
        return string.IsNullOrWhiteSpace(AuthIdentity) || string.Equals(AuthIdentity, authIdentity, StringComparison.OrdinalIgnoreCase);
    }
}
