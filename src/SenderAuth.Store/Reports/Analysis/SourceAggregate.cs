namespace SenderAuth.Store.Reports.Analysis;

/// <summary>Everything reports say about one source IP over a window, before attribution.</summary>
public sealed record SourceAggregate(
    string Ip, long Messages, long DmarcPass, long DkimAligned, long SpfAligned, long DkimAuthPass, long SpfAuthPass, long Forwarded,
    DateTime FirstDay, DateTime LastDay, IReadOnlyList<string> Reporters, IReadOnlyList<string> DkimDomains, IReadOnlyList<string> SpfDomains);

/// <summary>
/// Who a source is, as RFC-free tokens: <c>platform</c> (our sending networks), <c>declared</c> (a third party the
/// institution named), <c>forwarder</c> (DKIM survives, SPF does not: forwarding and mailing lists),
/// <c>third-party</c> (unknown but legitimate-looking: it authenticates as some other domain), <c>unknown</c>
/// (nothing authenticates: spoofing, or a sender that has not been set up at all).
/// </summary>
public sealed record AttributedSource(SourceAggregate Source, string Category, string? Name, string? ReverseName)
{
    public double PassRate => Source.Messages == 0 ? 0 : (double)Source.DmarcPass / Source.Messages;

    /// <summary>Ours or declared: mail the institution wants delivered, the volume the advisor's thresholds are about.</summary>
    public bool Legitimate => Category is SourceCategories.Platform or SourceCategories.Declared;
}

public static class SourceCategories
{
    public const string Platform = "platform";
    public const string Declared = "declared";
    public const string Forwarder = "forwarder";
    public const string ThirdParty = "third-party";
    public const string Unknown = "unknown";

    public static readonly IReadOnlyList<string> All = [Platform, Declared, Forwarder, ThirdParty, Unknown];
}
