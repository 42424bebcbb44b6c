using System.Text.Json.Serialization;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// How the provider zone is published (<c>SenderAuth:Publishing:Mode</c>, <c>--publish</c>), and which publisher
/// published it (<see cref="IZonePublisher.Kind"/>). Its JSON tokens are the configuration words, <c>builtin</c>,
/// <c>rfc2136</c>, <c>zonefile</c>, which the API, audit entries and logs wrote before it was an enum.
/// </summary>
public enum PublishingMode
{
    /// <summary>The server answers for the zone itself (<c>--dns</c>): the default.</summary>
    [JsonStringEnumMemberName("builtin")]
    BuiltIn,

    /// <summary>RFC 2136 UPDATEs signed with TSIG to the zone's primary.</summary>
    Rfc2136,

    /// <summary>A master file in the data folder, for a DNS server that loads it.</summary>
    [JsonStringEnumMemberName("zonefile")]
    ZoneFile,
}
