using System.ComponentModel.DataAnnotations;
using System.Net;
using SenderAuth.Milter;

namespace SenderAuth.Server.Milter;

/// <summary>The "SenderAuth:Milter" section: the milter <c>serve</c> runs for Postfix or sendmail (docs/server.md).</summary>
public sealed class MilterOptions
{
    /// <summary>
    /// Where the milter listens (--milter): <c>inet:ADDR:PORT</c> (port 0: a free one), <c>unix:/path</c> (mode 0660),
    /// or <c>none</c>. Default <c>inet:127.0.0.1:8891</c>, loopback only (OpenDKIM's usual port).
    /// </summary>
    public string Listen { get; set; } = "inet:127.0.0.1:8891";

    /// <summary><c>sign</c> (default): DKIM-sign outgoing mail. <c>verify</c>: inbound mail gets Authentication-Results.</summary>
    public MilterMode Mode { get; set; } = MilterMode.Sign;

    /// <summary>On an internal error (database down, a key that does not open): <c>tempfail</c> (default, the MTA retries) or <c>accept</c> (delivered unsigned).</summary>
    public MilterErrorAction OnError { get; set; } = MilterErrorAction.Tempfail;

    /// <summary>
    /// What happens to mail whose From domain belongs to no institution (an institution's own domains follow its
    /// policy). Default PassUnsigned: an MTA also carries bounces and system mail.
    /// </summary>
    public UnsignedMailPolicy UnknownDomainPolicy { get; set; } = UnsignedMailPolicy.PassUnsigned;

    /// <summary>Connections served at once; more are closed at once (the MTA applies milter_default_action). Default 1000.</summary>
    [Range(1, 100_000)]
    public int MaxConnections { get; set; } = 1000;

    /// <summary>Largest milter packet; default 1 MiB.</summary>
    public int MaxPacketBytes { get; set; } = 1024 * 1024;

    /// <summary>Most header fields per message; default 1000.</summary>
    [Range(10, 100_000)]
    public int MaxHeaderFields { get; set; } = 1000;

    /// <summary>Largest header section per message; default 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxHeaderBytes { get; set; } = 1024 * 1024;

    /// <summary>Verify mode holds the message to verify its body hash; larger messages get no DKIM/DMARC verdict. Default 25 MiB.</summary>
    [Range(1024, 1024 * 1024 * 1024)]
    public int MaxVerifyMessageBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Silence allowed between packets; default 600 s.</summary>
    [Range(0d, 86400d, MinimumIsExclusive = true)]
    public double IdleTimeoutSeconds { get; set; } = 600;

    /// <summary>Time a started packet has to arrive whole; default 30 s.</summary>
    [Range(0d, 3600d, MinimumIsExclusive = true)]
    public double PacketTimeoutSeconds { get; set; } = 30;

    /// <summary>The authserv-id of verify mode's Authentication-Results; default the provider zone.</summary>
    public string? AuthServId { get; set; }

    /// <summary>
    /// MTAs that may connect over TCP (CIDR or address, e.g. <c>10.0.5.0/24</c>); others are closed on accept. Empty
    /// (default): any peer, which is safe only on loopback, so a non-loopback Listen without it does not start.
    /// </summary>
    public List<string> AllowedPeers { get; set; } = [];

    /// <summary>
    /// Which institution an SMTP client may send as, by its address (<c>Network</c>, CIDR) and/or its SMTP AUTH
    /// identity (<c>AuthIdentity</c>, the <c>{auth_authen}</c> macro); the first matching entry applies. Mail from a
    /// mapped client whose From domain belongs to another institution is not signed but refused (<see cref="OnForeignDomain"/>);
    /// a client no entry matches follows <see cref="UnmappedPeers"/>. Empty (default): the MTA may send as every institution.
    /// </summary>
    public List<MilterPeerInstitution> PeerInstitutions { get; set; } = [];

    /// <summary>What a mapped client sending as another institution gets: <c>reject</c> (default, 550 5.7.1) or <c>tempfail</c> (451 4.7.1).</summary>
    public MilterForeignDomainAction OnForeignDomain { get; set; } = MilterForeignDomainAction.Reject;

    /// <summary>
    /// With PeerInstitutions set, what a client no entry matches gets when it sends as an institution's domain that
    /// would be signed: <c>refuse</c> (default; answered as <see cref="OnForeignDomain"/>) or <c>allow</c> (signed, as
    /// without a mapping). Otherwise a map of AUTH identities would restrict only the clients that authenticate.
    /// </summary>
    public MilterUnmappedPeerAction UnmappedPeers { get; set; } = MilterUnmappedPeerAction.Refuse;

    public bool Enabled => !Listen.Equals("none", StringComparison.OrdinalIgnoreCase);

    public bool VerifyMode => Mode == MilterMode.Verify;

    public bool TempFailOnError => OnError == MilterErrorAction.Tempfail;

    // Internal: MilterLimits is the engine's milter plumbing (visible to the server only), not a setting.
    internal MilterLimits Limits => new()
    {
        MaxPacketBytes = MaxPacketBytes,
        IdleTimeout = TimeSpan.FromSeconds(IdleTimeoutSeconds),
        PacketTimeout = TimeSpan.FromSeconds(PacketTimeoutSeconds),
    };

    public IEnumerable<string> Problems()
    {
        var errors = new List<string>();
        if (Enabled && TryEndpoint(Listen, out _, out _) is { } why)
        {
            errors.Add($"SenderAuth:Milter:Listen (--milter) \"{Listen}\": {why}");
        }
        // MaxConnections, MaxHeaderFields, MaxHeaderBytes, MaxVerifyMessageBytes and the timeouts: [Range] (OptionRangeValidator).
        errors.AddRange(Limits.Validate().Select(e => "SenderAuth:Milter: " + e));
        if (AuthServId is { } id && !Dns.DnsName.IsValid(id))
        {
            errors.Add($"SenderAuth:Milter:AuthServId \"{id}\" is not a host name");
        }
        errors.AddRange(PeerProblems());
        return errors;
    }

    private IEnumerable<string> PeerProblems()
    {
        NetworkList.Parse(AllowedPeers, out var invalid);
        if (invalid.Count > 0)
        {
            yield return $"SenderAuth:Milter:AllowedPeers: {string.Join(", ", invalid.Select(i => $"\"{i}\""))} is not a network in CIDR form (e.g. 10.0.5.0/24) or an address";
        }
        if (Enabled && TryEndpoint(Listen, out var tcp, out _) is null && tcp is not null && !IPAddress.IsLoopback(tcp.Address) && AllowedPeers.Count == 0)
        {
            yield return $"SenderAuth:Milter:Listen (--milter) \"{Listen}\" is not loopback, and any host reaching it could have mail signed as every institution: "
                + "list the MTAs in SenderAuth:Milter:AllowedPeers (e.g. 10.0.5.0/24), or listen on inet:127.0.0.1:PORT or unix:/path";
        }
        for (var i = 0; i < PeerInstitutions.Count; i++)
        {
            if (PeerInstitutions[i].Problem() is { } problem)
            {
                yield return $"SenderAuth:Milter:PeerInstitutions:{i}: {problem}";
            }
        }
    }

    /// <summary>Parses Listen: a TCP endpoint or a Unix socket path; the reason it is not valid, or null.</summary>
    public static string? TryEndpoint(string listen, out IPEndPoint? tcp, out string? unixPath)
    {
        ArgumentNullException.ThrowIfNull(listen);
        tcp = null;
        unixPath = null;
        if (listen.StartsWith("unix:", StringComparison.Ordinal))
        {
            unixPath = listen[5..];
            return unixPath.Length == 0 || !Path.IsPathFullyQualified(unixPath) ? "a Unix socket needs an absolute path (unix:/run/senderauth/milter.sock)"
                : System.Text.Encoding.UTF8.GetByteCount(unixPath) > 100 ? "a Unix socket path is limited to about 100 bytes"
                : null;
        }
        if (!listen.StartsWith("inet:", StringComparison.Ordinal) && !listen.StartsWith("inet6:", StringComparison.Ordinal))
        {
            return "use inet:ADDR:PORT, unix:/path or none";
        }
        var rest = listen[(listen.IndexOf(':', StringComparison.Ordinal) + 1)..];
        if (!Hosting.ServerOptionsValidator.TryListen(rest, out var endpoint) || !rest.Contains(':', StringComparison.Ordinal))
        {
            return "the address must be IP:PORT (e.g. inet:127.0.0.1:8891; port 0 picks a free one)";
        }
        tcp = endpoint;
        return null;
    }
}
