using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Onboarding;

/// <summary>What a <see cref="RecordToPublish"/> is for; in JSON <c>spf</c>, <c>dkim</c>, <c>dmarc</c>, <c>mail-from</c>, <c>report-authorisation</c>.</summary>
public enum RecordPurpose
{
    /// <summary>The institution's SPF record, with the provider's include merged in.</summary>
    Spf,

    /// <summary>A DKIM selector's CNAME into the provider's key zone.</summary>
    Dkim,

    /// <summary>The DMARC record at <c>_dmarc</c>.</summary>
    Dmarc,

    /// <summary>The MX or SPF record of the custom MAIL FROM (bounce) domain.</summary>
    MailFrom,

    /// <summary>A record the report destination publishes (RFC 9989 §3.3), not the institution.</summary>
    ReportAuthorisation,
}

/// <summary>What the institution does with a <see cref="RecordToPublish"/>, compared with what its DNS holds today; in JSON <c>add</c>, <c>replace</c>, <c>keep</c>.</summary>
public enum RecordAction
{
    /// <summary>Nothing of this kind is there yet (or its content is not read: CNAMEs).</summary>
    Add,

    /// <summary>An existing record changes into this one; never published beside it.</summary>
    Replace,

    /// <summary>Already right: nothing to change.</summary>
    Keep,
}

/// <summary>
/// One record to publish, ready to paste: what it is for, the absolute name, the type, the value and what to do with
/// it. Decided by <see cref="PublishPlan"/> only, so the check, the server, the dashboard and the CLI show the same
/// record for the same DNS.
/// </summary>
/// <param name="Purpose">What the record is for.</param>
/// <param name="Type">TXT, CNAME or MX; in JSON and in <see cref="ZoneLine"/> its mnemonic (<see cref="DnsRecordTypeTokens"/>).</param>
/// <param name="Action">What to do with it.</param>
public sealed record RecordToPublish(RecordPurpose Purpose, string Name, DnsRecordType Type, string Value, RecordAction Action)
{
    /// <summary>Every record is pasted with this TTL: an hour, so a mistake is corrected within the hour.</summary>
    public const int Ttl = 3600;

    /// <summary>
    /// The master-file line (absolute name). TXT values are split into strings of at most 255 characters
    /// (RFC 1035 §3.3: longer does not load) with quotes and backslashes escaped.
    /// </summary>
    public string ZoneLine => $"{Name}. {Ttl} IN {Type.Token()} {(Type == DnsRecordType.Txt ? Quote(Value) : Value)}";

    /// <summary>The record this one replaces (SPF, DMARC), or null.</summary>
    public string? Current { get; init; }

    /// <summary>One sentence for the person pasting it, or null.</summary>
    public string? Note { get; init; }

    /// <summary>For SPF: the DNS-querying terms after merging (RFC 7208 §4.6.4 allows 10).</summary>
    public int? DnsLookups { get; init; }

    private static string Quote(string value) =>
        string.Join(' ', DkimKeyRecord.TxtStrings(value).Select(s => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));
}
