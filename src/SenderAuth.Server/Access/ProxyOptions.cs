using System.Net;

namespace SenderAuth.Server.Access;

/// <summary>
/// The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed ("SenderAuth:Proxies"). Default:
/// none, and the headers are ignored: a client that sets them itself must not choose its own address for the rate
/// limits. Behind a TLS proxy, name it here, or every user shares the proxy's address and its limits.
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "SenderAuth:Proxies";

    /// <summary>Addresses of trusted proxies (e.g. 127.0.0.1 for a proxy on the same host); default none.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR (e.g. 10.0.0.0/24 for a load balancer pool); default none.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Whether forwarded headers are read at all: only when a proxy is configured.</summary>
    public bool Enabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    internal IEnumerable<string> Problems()
    {
        foreach (var p in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return $"{Section}:KnownProxies: \"{p}\" is not an IP address";
        }
        foreach (var n in KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
        {
            yield return $"{Section}:KnownNetworks: \"{n}\" is not a network in CIDR form (e.g. 10.0.0.0/24)";
        }
    }
}
