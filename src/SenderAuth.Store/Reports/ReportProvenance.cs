namespace SenderAuth.Store.Reports;

/// <summary>
/// How far a report's origin is proven; in JSON as <c>verified</c>, <c>unverified</c>, <c>uploaded</c>,
/// <c>local-file</c>, <c>legacy</c>. Only <see cref="Verified"/>, <see cref="LocalFile"/> and <see cref="Legacy"/>
/// count as trusted (<see cref="ReportProvenanceRules.Trusted"/>).
/// </summary>
public enum ReportProvenance
{
    /// <summary>Imported before provenance was recorded (kept counting as it did, see docs/security.md).</summary>
    Legacy,

    /// <summary>The report came in a mail that passed DMARC (our own SPF, DKIM and DMARC engine) for the reporter's domain.</summary>
    Verified,

    /// <summary>
    /// The report came in a mail that did not pass DMARC for the reporter's domain (forged, or not signed), or was
    /// mailed to one institution's report address about another's domain.
    /// </summary>
    Unverified,

    /// <summary>Uploaded through the API, and not as a whole mail that verifies: anyone holding a key could have written it.</summary>
    Uploaded,

    /// <summary>A bare report file from the operator's watched folder or the CLI: the operator vouches for what they put there.</summary>
    LocalFile,
}

/// <summary>Where a report file came in: its channel and, for the log and the report's origin, who or what.</summary>
/// <param name="Origin">imap:&lt;mailbox&gt;, directory, cli, upload:key &lt;id&gt; (&lt;actor&gt;).</param>
/// <param name="Channel">The way in; decides the dedupe channel and how provenance is judged.</param>
/// <param name="InstitutionId">For an institution's upload: only that institution's domains are accepted.</param>
public sealed record ReportSource(string Origin, ReportChannel Channel, long? InstitutionId = null)
{
    public static ReportSource Mailbox(string mailbox) => new("imap:" + mailbox, ReportChannel.Mailbox);

    public static ReportSource Folder() => new("directory", ReportChannel.Folder);

    /// <summary>The operator's own import (the CLI, tests): like the watched folder.</summary>
    public static ReportSource Local(string origin) => new(origin, ReportChannel.Folder);

    public static ReportSource Upload(long keyId, string actor, long? institutionId) => new($"upload:key {keyId} ({actor})", ReportChannel.Upload, institutionId);
}

/// <summary>The ways a report file comes in.</summary>
public enum ReportChannel
{
    /// <summary>An IMAP mailbox the operator configured (the rua address).</summary>
    Mailbox,

    /// <summary>The operator's watched folder or CLI import.</summary>
    Folder,

    /// <summary>The upload API: anyone with a key.</summary>
    Upload,
}

public static class ReportProvenanceRules
{
    /// <summary>Counted by the advisor, the findings and the alerts by default.</summary>
    public static bool Trusted(ReportProvenance p) => p is ReportProvenance.Verified or ReportProvenance.LocalFile or ReportProvenance.Legacy;

    /// <summary>The word for a provenance in logs, the CLI and the dashboard: the same as its JSON token.</summary>
    public static string Token(this ReportProvenance p) => p switch
    {
        ReportProvenance.Legacy => "legacy",
        ReportProvenance.Verified => "verified",
        ReportProvenance.Unverified => "unverified",
        ReportProvenance.Uploaded => "uploaded",
        ReportProvenance.LocalFile => "local-file",
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    /// <summary>What a person reads next to an untrusted report.</summary>
    public static string Label(ReportProvenance p) => p switch
    {
        ReportProvenance.Verified => "verified mail",
        ReportProvenance.Unverified => "untrusted (mail not authenticated)",
        ReportProvenance.Uploaded => "untrusted (uploaded)",
        ReportProvenance.LocalFile => "operator file",
        ReportProvenance.Legacy => "imported before provenance",
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };
}
