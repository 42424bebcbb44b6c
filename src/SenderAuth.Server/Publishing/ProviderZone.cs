namespace SenderAuth.Server.Publishing;

/// <summary>
/// One resource record of the provider zone, in presentation form. <see cref="Data"/> is the RDATA as a zone
/// file writes it, except TXT, whose <see cref="TxtStrings"/> hold the character-strings (each ≤ 255 bytes).
/// Names are absolute, lower case, without the trailing dot.
/// </summary>
public sealed record ZoneRecord(string Name, string Type, int Ttl, string Data)
{
    /// <summary>The TXT character-strings (DKIM keys are split at 255 bytes); empty for other types.</summary>
    public IReadOnlyList<string> TxtStrings { get; init; } = [];

    public static ZoneRecord Txt(string name, int ttl, IReadOnlyList<string> strings) =>
        new(name, "TXT", ttl, string.Join(" ", strings.Select(Quote))) { TxtStrings = strings };

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

/// <summary>
/// The whole content the provider zone must serve for SenderAuth: DKIM key TXT records, the SPF include record
/// and the DMARC external-report authorisations. <see cref="Serial"/> increases with every change.
/// Publishers make the served zone hold exactly these records under the names SenderAuth manages.
/// </summary>
public sealed record ProviderZone(string Origin, uint Serial, IReadOnlyList<ZoneRecord> Records);

/// <summary>Where the provider zone is published: the built-in DNS server, RFC 2136 UPDATE, or a zone file.</summary>
public interface IZonePublisher
{
    /// <summary>The mode this publisher implements; written through the JSON contract ("builtin", "rfc2136", "zonefile").</summary>
    PublishingMode Kind { get; }

    /// <summary>
    /// Makes the served zone equal to <paramref name="zone"/> (records SenderAuth no longer wants are removed).
    /// Returns only once the change is accepted by the server (or written); throws <see cref="ZonePublishException"/>
    /// with the reason otherwise. Idempotent: publishing the same zone twice changes nothing.
    /// </summary>
    Task PublishAsync(ProviderZone zone, CancellationToken cancellationToken);

    /// <summary>
    /// The address of an authoritative server that serves the published zone, to confirm over DNS that a record is
    /// served before it is relied on; null when the publisher has none (a zone file someone else loads).
    /// </summary>
    System.Net.IPEndPoint? AuthoritativeServer { get; }
}

public sealed class ZonePublishException(string message, Exception? inner = null) : Exception(message, inner);
