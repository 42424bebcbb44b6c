namespace SenderAuth.Store.Reports.Analysis;

/// <summary>Everything reports say about one source IP over a window, before attribution.</summary>
public sealed record SourceAggregate(
    string Ip, long Messages, long DmarcPass, long DkimAligned, long SpfAligned, long DkimAuthPass, long SpfAuthPass, long Forwarded,
    DateTime FirstDay, DateTime LastDay, IReadOnlyList<string> Reporters, IReadOnlyList<string> DkimDomains, IReadOnlyList<string> SpfDomains);

/// <summary>
/// Who a source is, in JSON (and the API's <c>?category=</c>) as the contract's kebab-case tokens: <c>platform</c>,
/// <c>declared</c>, <c>forwarder</c>, <c>third-party</c>, <c>unknown</c>.
/// </summary>
public enum SourceCategory
{
    /// <summary>Our sending networks.</summary>
    Platform,

    /// <summary>A third party the institution named.</summary>
    Declared,

    /// <summary>DKIM survives, SPF does not: forwarding and mailing lists.</summary>
    Forwarder,

    /// <summary>Unknown but legitimate-looking: it authenticates as some other domain.</summary>
    ThirdParty,

    /// <summary>Nothing authenticates: spoofing, or a sender that has not been set up at all.</summary>
    Unknown,
}

/// <summary>A source with who it is (<see cref="SourceCategory"/>) and the name it goes by.</summary>
public sealed record AttributedSource(SourceAggregate Source, SourceCategory Category, string? Name, string? ReverseName)
{
    public double PassRate => Source.Messages == 0 ? 0 : (double)Source.DmarcPass / Source.Messages;

    /// <summary>Ours or declared: mail the institution wants delivered, the volume the advisor's thresholds are about.</summary>
    public bool Legitimate => Category is SourceCategory.Platform or SourceCategory.Declared;
}
