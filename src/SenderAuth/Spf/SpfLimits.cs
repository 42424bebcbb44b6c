namespace SenderAuth.Spf;

/// <summary>
/// Size limits of SPF evaluation beyond the lookup limits of RFC 7208 §4.6.4 (<see cref="SpfOptions"/>). A record
/// comes from the sender's DNS, so its size and what its macros expand to are chosen by whoever sends the mail: these
/// bounds keep one check's work linear in the record and small in absolute terms. Exceeding either is permerror
/// with <see cref="SpfReason.LimitExceeded"/> (RFC 7208 §4.6.4 lets a verifier end evaluation at its own limits).
/// </summary>
public static class SpfLimits
{
    /// <summary>
    /// Most characters of one SPF record (its TXT strings joined): 16,384. RFC 7208 §3.4 asks records to fit a
    /// 512-octet DNS answer; real ESP records stay under 1 KiB, so 16 KiB leaves every legitimate record room while a
    /// record near the 64 KiB a TXT RRset can carry is refused before it is parsed or cached.
    /// </summary>
    public const int MaxRecordLength = 16 * 1024;

    /// <summary>
    /// Most characters one macro-string may expand to before domain-spec shortening (RFC 7208 §7.3) or as an
    /// explanation: 8,192. A domain-spec is cut to 253 characters anyway, so a longer expansion is useless work: a
    /// record of <c>%{d}.</c> repeated against a 253-character domain would otherwise build over a megabyte.
    /// </summary>
    public const int MaxMacroExpansionLength = 8 * 1024;

    /// <summary>
    /// Most characters of the sender and of the HELO name a check accepts: 1,024 (RFC 5321 §4.5.3.1 allows a path of
    /// 256 octets and a domain of 255). They are macro values, so each macro in the record would otherwise cost work in
    /// their length: a record of thousands of <c>%{s1}</c> against a megabyte sender would scan gigabytes.
    /// </summary>
    public const int MaxIdentityLength = 1024;
}
