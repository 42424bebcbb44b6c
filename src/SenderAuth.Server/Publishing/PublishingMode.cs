namespace SenderAuth.Server.Publishing;

/// <summary>How the provider zone is published (<c>SenderAuth:Publishing:Mode</c>, <c>--publish</c>).</summary>
public enum PublishingMode
{
    /// <summary>The server answers for the zone itself (<c>--dns</c>): the default.</summary>
    BuiltIn,

    /// <summary>RFC 2136 UPDATEs signed with TSIG to the zone's primary.</summary>
    Rfc2136,

    /// <summary>A master file in the data folder, for a DNS server that loads it.</summary>
    ZoneFile,
}
