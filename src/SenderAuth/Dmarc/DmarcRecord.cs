using System.Globalization;
using SenderAuth.Parsing;

namespace SenderAuth.Dmarc;

/// <summary>Requested handling of failing mail (RFC 9989 §4.7 p, sp, np).</summary>
public enum DmarcPolicy
{
    /// <summary>p=none: monitor only; reports are sent, mail is delivered as usual.</summary>
    None,
    /// <summary>p=quarantine: treat failing mail as suspicious (usually the spam folder).</summary>
    Quarantine,
    /// <summary>p=reject: refuse failing mail during the SMTP transaction.</summary>
    Reject,
}

/// <summary>Alignment mode (adkim, aspf).</summary>
// Not shared with Reports.DmarcAlignmentMode: JSON writes this one (a parsed record, `dmarc lint`) as `relaxed` /
// `strict` and the report's as the XML's `r` / `s`, and the report's has an Unknown for words reporters invent. One
// type could write only one of the two, and the contract is by type, so sharing it would change one output's bytes.
public enum DmarcAlignmentMode
{
    /// <summary>r: organizational domains must match (mail.example.com aligns with example.com). The default.</summary>
    Relaxed,
    /// <summary>s: the domains must be identical.</summary>
    Strict,
}

/// <summary>
/// A parsed <c>v=DMARC1</c> record (RFC 9989 §4.7), read leniently the way receivers do: unknown tags and invalid
/// values are issues (with positions), not failures; only a record without <c>v=DMARC1</c> first is not DMARC.
/// RFC 7489's pct, rf and ri are accepted and reported as obsolete.
/// </summary>
public sealed record DmarcRecord
{
    /// <summary>The record text as given to <see cref="Parse"/>.</summary>
    public required string Text { get; init; }

    /// <summary>p=; when absent or invalid the record still applies as p=none if rua is valid (RFC 9989 §4.7).</summary>
    public DmarcPolicy Policy { get; init; }

    /// <summary>True when p= is absent or invalid; <see cref="Policy"/> is then none, and an issue says whether receivers apply it.</summary>
    public bool PolicyMissing { get; init; }

    /// <summary>sp=: the policy for subdomains of the record's domain; null when absent (p applies).</summary>
    public DmarcPolicy? SubdomainPolicy { get; init; }

    /// <summary>np=: the policy for subdomains that do not exist in DNS (RFC 9989); null when absent (sp, then p, applies).</summary>
    public DmarcPolicy? NonExistentPolicy { get; init; }

    /// <summary>psd=y (a public suffix domain), psd=n (an organizational domain), or null (u / absent).</summary>
    public bool? PublicSuffixDomain { get; init; }

    /// <summary>t=y, or RFC 7489's pct below 100: apply one step less than requested.</summary>
    public bool Testing { get; init; }

    /// <summary>adkim=: how DKIM's d= must match the From domain; relaxed by default.</summary>
    public DmarcAlignmentMode DkimAlignment { get; init; }

    /// <summary>aspf=: how the SPF domain must match the From domain; relaxed by default.</summary>
    public DmarcAlignmentMode SpfAlignment { get; init; }

    /// <summary>rua=: where aggregate reports go; only valid mailto: URIs with an address (invalid ones are issues).</summary>
    public IReadOnlyList<Uri> AggregateReportUris { get; init; } = [];

    /// <summary>ruf=: where failure reports go; only valid mailto: URIs with an address.</summary>
    public IReadOnlyList<Uri> FailureReportUris { get; init; } = [];

    /// <summary>fo= as written; <c>0</c> when absent (report when every mechanism fails).</summary>
    public string FailureOptions { get; init; } = "0";

    /// <summary>pct= as written in an RFC 7489 record; null when absent.</summary>
    public int? Percent { get; init; }

    /// <summary>What is wrong or worth knowing, each with a code and the column of its tag; empty for a clean record.</summary>
    public IReadOnlyList<Finding> Issues { get; init; } = [];

    /// <summary>True when <paramref name="text"/> starts with <c>v=DMARC1</c> (white space around the <c>=</c> allowed): the
    /// one test for which TXT records at <c>_dmarc</c> are DMARC records (RFC 9989 §4.7).</summary>
    public static bool IsDmarcRecord(string text)
    {
        var t = text.TrimStart();
        if (!t.StartsWith("v", StringComparison.Ordinal))
        {
            return false;
        }
        var semicolon = t.IndexOf(';', StringComparison.Ordinal);
        var first = (semicolon < 0 ? t : t[..semicolon]).Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\t", string.Empty, StringComparison.Ordinal);
        return first == "v=DMARC1";
    }

    internal static readonly BoundedParseCache<DmarcRecord?> Cache = new(sizeOf: ParsedSize, isFailure: static r => r is null);

    /// <summary>
    /// Most characters of a record: 16,384 (real records are under 300). A longer text is not read as a policy: it
    /// parses to a record with only the <c>record-too-long</c> issue, no policy and no report address, which
    /// receivers ignore (RFC 9989 §4.7), so an oversized record from DNS costs no more than its length check.
    /// </summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>
    /// What a parsed record keeps alive beyond its key (which it shares as <see cref="Text"/>): the record object,
    /// each URI (a <see cref="Uri"/> holds its string about twice) and each issue with its message.
    /// </summary>
    internal static long ParsedSize(DmarcRecord? record) => record is null
        ? 0
        : 256
          + record.AggregateReportUris.Concat(record.FailureReportUris).Sum(u => 256L + (4L * u.OriginalString.Length))
          + record.Issues.Sum(i => 128L + (2L * i.Message.Length));

    /// <summary>
    /// Parses a record; null when it is not a DMARC record at all (v=DMARC1 must come first). Results are cached by
    /// text (records are immutable): every message from a domain meets the same record.
    /// </summary>
    public static DmarcRecord? Parse(string text) => Cache.GetOrAdd(text, ParseUncached);

    private static DmarcRecord? ParseUncached(string text)
    {
        if (!IsDmarcRecord(text))
        {
            return null;
        }
        if (text.Length > MaxLength)
        {
            return new DmarcRecord
            {
                Text = text,
                PolicyMissing = true,
                Issues = [new(FindingSeverity.Error, "record-too-long", $"the record has {text.Length} characters, more than {MaxLength}: receivers ignore it")],
            };
        }
        var issues = new List<Finding>();
        var tags = TagList.Parse(text, TagListRules.Dmarc);
        foreach (var error in tags.Errors)
        {
            issues.Add(error.Kind == TagListErrorKind.MissingEquals
                ? new(FindingSeverity.Error, "malformed-tag", $"\"{error.Text}\" is not tag=value", Position: error.Column)
                : new(FindingSeverity.Error, "duplicate-tag", $"tag {error.Text}= appears twice; the first is used", Position: error.Column));
        }
        var record = new DmarcRecord { Text = text };
        DmarcPolicy? Policy(string tag)
        {
            if (!tags.TryGet(tag, out var v))
            {
                return null;
            }
            switch (v.Value.ToLowerInvariant())
            {
                case "none": return DmarcPolicy.None;
                case "quarantine": return DmarcPolicy.Quarantine;
                case "reject": return DmarcPolicy.Reject;
                default:
                    issues.Add(new(FindingSeverity.Error, "invalid-policy", $"{tag}={v.Value}: expected none, quarantine or reject", Position: v.Column));
                    return null;
            }
        }
        DmarcAlignmentMode Mode(string tag)
        {
            if (!tags.TryGet(tag, out var v))
            {
                return DmarcAlignmentMode.Relaxed;
            }
            switch (v.Value.ToLowerInvariant())
            {
                case "r": return DmarcAlignmentMode.Relaxed;
                case "s": return DmarcAlignmentMode.Strict;
                default:
                    issues.Add(new(FindingSeverity.Error, "invalid-alignment", $"{tag}={v.Value}: expected r or s; relaxed is used", Position: v.Column));
                    return DmarcAlignmentMode.Relaxed;
            }
        }

        var p = Policy("p");
        var rua = Uris("rua", tags, issues);
        record = record with
        {
            Policy = p ?? DmarcPolicy.None,
            PolicyMissing = p is null,
            SubdomainPolicy = Policy("sp"),
            NonExistentPolicy = Policy("np"),
            DkimAlignment = Mode("adkim"),
            SpfAlignment = Mode("aspf"),
            AggregateReportUris = rua,
            FailureReportUris = Uris("ruf", tags, issues),
        };
        if (p is null)
        {
            issues.Add(new(FindingSeverity.Error, "policy-missing", rua.Count > 0
                ? "p= is missing or invalid; receivers apply p=none because rua= is valid (RFC 9989 §4.7)"
                : "p= is missing or invalid and there is no valid rua=: receivers ignore this record", Position: tags.TryGet("p", out var pTag) ? pTag.Column : null));
        }
        if (tags.TryGet("psd", out var psd))
        {
            record = record with { PublicSuffixDomain = psd.Value.ToLowerInvariant() switch { "y" => true, "n" => false, _ => null } };
            if (psd.Value.ToLowerInvariant() is not ("y" or "n" or "u"))
            {
                issues.Add(new(FindingSeverity.Error, "invalid-psd", $"psd={psd.Value}: expected y, n or u", Position: psd.Column));
            }
        }
        if (tags.TryGet("t", out var t))
        {
            record = record with { Testing = t.Value.Equals("y", StringComparison.OrdinalIgnoreCase) };
            if (t.Value.ToLowerInvariant() is not ("y" or "n"))
            {
                issues.Add(new(FindingSeverity.Error, "invalid-testing", $"t={t.Value}: expected y or n", Position: t.Column));
            }
        }
        if (tags.TryGet("fo", out var fo))
        {
            record = record with { FailureOptions = fo.Value };
            if (fo.Value.Split(':').Any(o => o.Trim() is not ("0" or "1" or "d" or "s")))
            {
                issues.Add(new(FindingSeverity.Warning, "invalid-fo", $"fo={fo.Value}: options are 0, 1, d and s, separated by ':'", Position: fo.Column));
            }
        }
        if (tags.TryGet("pct", out var pct))
        {
            if (int.TryParse(pct.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var percent) && percent <= 100)
            {
                // RFC 9989 replaced pct with t: anything under 100 meant "not fully enforced", which t=y now says.
                record = record with { Percent = percent, Testing = record.Testing || percent < 100 };
                issues.Add(new(FindingSeverity.Info, "obsolete-tag", $"pct={percent} is an RFC 7489 tag; RFC 9989 uses t=y for partial enforcement{(percent < 100 ? " (read here as t=y)" : string.Empty)}", Position: pct.Column));
            }
            else
            {
                issues.Add(new(FindingSeverity.Warning, "invalid-pct", $"pct={pct.Value}: expected 0 to 100", Position: pct.Column));
            }
        }
        foreach (var (name, _, position, _) in tags.Tags)
        {
            if (name is "rf" or "ri")
            {
                issues.Add(new(FindingSeverity.Info, "obsolete-tag", $"{name}= is an RFC 7489 tag that RFC 9989 removed; receivers ignore it", Position: position));
            }
            else if (name is not ("v" or "p" or "sp" or "np" or "psd" or "t" or "adkim" or "aspf" or "rua" or "ruf" or "fo" or "pct"))
            {
                issues.Add(new(FindingSeverity.Warning, "unknown-tag", $"unknown tag {name}= is ignored (RFC 9989 §4.7)", Position: position));
            }
        }
        return record with { Issues = issues };
    }

    private static List<Uri> Uris(string tag, TagList tags, List<Finding> issues)
    {
        var list = new List<Uri>();
        if (!tags.TryGet(tag, out var v))
        {
            return list;
        }
        foreach (var raw in v.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // RFC 7489 allowed a "!size" suffix; RFC 9989 dropped it. Accept it, and say so.
            var text = raw;
            var bang = raw.LastIndexOf('!');
            if (bang > 0)
            {
                text = raw[..bang];
                issues.Add(new(FindingSeverity.Info, "uri-size-limit", $"{tag}: the \"!size\" suffix in \"{raw}\" is RFC 7489 only", Position: v.Column));
            }
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeMailto || !text.Contains('@', StringComparison.Ordinal))
            {
                issues.Add(new(FindingSeverity.Error, "invalid-uri", $"{tag}: \"{raw}\" is not a mailto: URI with an address", Position: v.Column));
                continue;
            }
            list.Add(uri);
        }
        return list;
    }
}
