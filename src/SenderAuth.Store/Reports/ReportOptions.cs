using System.ComponentModel.DataAnnotations;
using SenderAuth.Reports;

namespace SenderAuth.Store.Reports;

/// <summary>SenderAuth:Reports — where reports come from, the parser's limits, and the advisor's thresholds.</summary>
public sealed class ReportOptions
{
    /// <summary>Largest upload accepted over HTTP (the file as sent, compressed or not).</summary>
    [Range(typeof(long), "1024", "9223372036854775807")]
    public long MaxUploadBytes { get; set; } = 50L << 20;

    /// <summary>Largest decompressed size of one file (gzip, zip entries, attachments together).</summary>
    public long MaxDecompressedBytes { get; set; } = 1L << 30;

    /// <summary>Largest decompressed/compressed ratio before a file counts as a bomb.</summary>
    [Range(2, int.MaxValue)]
    public int MaxCompressionRatio { get; set; } = 100;

    /// <summary>
    /// Poll the IMAP mailboxes and the watched directory in the background (default true). Off: only on demand
    /// (the server's <c>ImapReportPoller.PollOnceAsync</c>, <c>DirectoryReportWatcher.ScanOnceAsync</c>), as the tests do.
    /// </summary>
    public bool BackgroundIngestion { get; set; } = true;

    /// <summary>A folder polled for report files (batch imports); null: off.</summary>
    public string? WatchDirectory { get; set; }

    /// <summary>How often the watched directory is scanned, in seconds.</summary>
    [Range(0.1d, 86400d)]
    public double WatchIntervalSeconds { get; set; } = 10;

    /// <summary>IMAP mailboxes polled for reports sent to the rua address.</summary>
    public List<ImapMailboxOptions> Imap { get; set; } = [];

    public AdvisorOptions Advisor { get; set; } = new();

    /// <summary>Limits on reading one failure report mail (RFC 9991; docs/reports.md, "Failure reports").</summary>
    public FailureReportOptions Failure { get; set; } = new();

    /// <summary>
    /// Count untrusted reports (uploads, mail that did not pass DMARC for its reporter) in summaries, sources,
    /// findings and advice by default (default false; a request can still ask with <c>?untrusted=include</c>).
    /// Alerts never count them.
    /// </summary>
    public bool IncludeUntrusted { get; set; }

    /// <summary>Report uploads one institution may make per hour (default 60; files in one request count one each); more is 429.</summary>
    [Range(1, 100_000)]
    public int UploadsPerHour { get; set; } = 60;

    /// <summary>
    /// Bytes of quarantined uploads kept per institution (default 200 MiB); past it the oldest of that
    /// institution's quarantined uploads are deleted first, each logged and audited.
    /// </summary>
    public long QuarantineBytesPerInstitution { get; set; } = 200L << 20;

    /// <summary>
    /// The reporters whose mail can make a report trusted: a report mail is verified only when it passes DMARC for a
    /// From domain that is one of these or below one (list organisational domains), and an org_name that is a domain
    /// is in the same organisational domain. Anyone can own a domain and sign mail; only these are believed. The
    /// default is the large receivers that send aggregate reports; configured entries are added to it
    /// (<c>SenderAuth:Reports:TrustedReporters:0=reports.example</c>), so operators extend it for their own receivers.
    /// </summary>
    public List<string> TrustedReporters { get; set; } =
    [
        "google.com", "yahoo.com", "outlook.com", "microsoft.com", "hotmail.com", "comcast.net", "mail.ru", "yandex.ru", "zoho.com",
        "fastmail.com", "gmx.net", "web.de", "t-online.de", "apple.com", "icloud.com", "amazonses.com", "mimecast.com", "proofpoint.com",
        "cloudflare.com",
    ];

    /// <summary>Whether the domain is a trusted reporter or below one.</summary>
    internal bool IsTrustedReporter(string domain)
    {
        var d = domain.Trim().TrimEnd('.').ToLowerInvariant();
        return TrustedReporters.Any(t =>
        {
            var r = t.Trim().TrimEnd('.').ToLowerInvariant();
            return d == r || d.EndsWith("." + r, StringComparison.Ordinal);
        });
    }

    /// <summary>Reported volume from our IPs above what we signed by more than this share is flagged (plus a small absolute slack).</summary>
    [Range(0d, 10d)]
    public double ReconciliationTolerance { get; set; } = 0.05;

    internal DmarcReportLimits ParserLimits() => new()
    {
        MaxDecompressedBytes = MaxDecompressedBytes,
        MaxCompressionRatio = MaxCompressionRatio,
    };

    internal IEnumerable<string> Problems()
    {
        // The bounds of single settings are [Range] attributes, checked by OptionRanges (the server's
        // OptionRangeValidator, the CLI's StoreOptions.StoreProblems); these are the rules between settings.
        if (MaxDecompressedBytes < MaxUploadBytes)
        {
            yield return "SenderAuth:Reports:MaxDecompressedBytes must be at least MaxUploadBytes";
        }
        if (QuarantineBytesPerInstitution < MaxUploadBytes)
        {
            yield return "SenderAuth:Reports:QuarantineBytesPerInstitution must be at least MaxUploadBytes (one quarantined file must fit)";
        }
        for (var i = 0; i < TrustedReporters.Count; i++)
        {
            var r = TrustedReporters[i]?.Trim().TrimEnd('.') ?? "";
            if (r.Length is 0 or > 253 || !r.Contains('.', StringComparison.Ordinal) || r.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
            {
                yield return $"SenderAuth:Reports:TrustedReporters:{i} must be a domain name (e.g. google.com), not \"{TrustedReporters[i]}\"";
            }
        }
        for (var i = 0; i < Imap.Count; i++)
        {
            foreach (var p in Imap[i].Problems())
            {
                yield return $"SenderAuth:Reports:Imap:{i}:{p}";
            }
        }
        foreach (var p in Advisor.Problems())
        {
            yield return "SenderAuth:Reports:Advisor:" + p;
        }
    }
}

/// <summary>How the IMAP connection is secured, bound from configuration by its JSON token (<c>tls</c>, <c>start-tls</c>, <c>none</c>) or by name in any case (<c>starttls</c>).</summary>
public enum ImapSecurity
{
    /// <summary>TLS from the first byte (implicit TLS, port 993).</summary>
    Tls,
    /// <summary>A plain connection upgraded by STARTTLS before logging in.</summary>
    StartTls,
    /// <summary>No TLS: for loopback test servers only.</summary>
    None,
}

/// <summary>One mailbox: where reports arrive, where processed and failed mail goes.</summary>
public sealed class ImapMailboxOptions
{
    /// <summary>The IMAP server's host name (required).</summary>
    public string Host { get; set; } = "";
    /// <summary>The IMAP server's port.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 993;
    /// <summary>tls (implicit, port 993; the default), start-tls (or starttls), or none (loopback tests only).</summary>
    public ImapSecurity Security { get; set; } = ImapSecurity.Tls;
    /// <summary>The IMAP login (required).</summary>
    public string User { get; set; } = "";
    /// <summary>From configuration or the environment (SenderAuth__Reports__Imap__0__Password), never the repository.</summary>
    public string? Password { get; set; }
    /// <summary>The folder reports arrive in.</summary>
    public string Folder { get; set; } = "INBOX";
    /// <summary>Where imported messages are moved (must differ from Folder).</summary>
    public string ArchiveFolder { get; set; } = "Archive";
    /// <summary>Where messages that could not be imported are moved, with the reason logged (must differ from Folder).</summary>
    public string ErrorFolder { get; set; } = "Errors";
    /// <summary>How often the mailbox is polled, in seconds.</summary>
    [Range(1d, 86400d)]
    public double PollSeconds { get; set; } = 300;
    /// <summary>Messages larger than this are not fetched: they go to the error folder.</summary>
    public long MaxMessageBytes { get; set; } = 50L << 20;
    /// <summary>Messages read at most per poll; the rest wait for the next one.</summary>
    [Range(1, int.MaxValue)]
    public int MaxMessagesPerPoll { get; set; } = 500;

    public string Name => $"{User}@{Host}:{Port}/{Folder}";

    internal IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Host)) { yield return "Host is required"; }
        if (string.IsNullOrWhiteSpace(User)) { yield return "User is required"; }
        if (string.IsNullOrEmpty(Password)) { yield return "Password is required (set it in the environment)"; }
        if (!Enum.IsDefined(Security)) { yield return "Security must be tls, start-tls or none"; }
        if (string.Equals(Folder, ArchiveFolder, StringComparison.OrdinalIgnoreCase) || string.Equals(Folder, ErrorFolder, StringComparison.OrdinalIgnoreCase))
        {
            yield return "ArchiveFolder and ErrorFolder must differ from Folder";
        }
    }
}

/// <summary>
/// The failure report parser's limits (<see cref="SenderAuth.Reports.Failure.FailureReportLimits"/>), read from
/// <c>SenderAuth:Reports:Failure</c>; the ranges are the parser's own, checked at start.
/// </summary>
public sealed class FailureReportOptions
{
    /// <summary>Bytes of one report mail, held in memory while it is read; a larger mail is left to the aggregate parser.</summary>
    [Range(typeof(long), "1024", "9223372036854775807")]
    public long MaxMessageBytes { get; set; } = 10L << 20;

    /// <summary>MIME parts in the report's own tree (the reported message's parts are not walked).</summary>
    [Range(3, 10_000)]
    public int MaxParts { get; set; } = 50;

    /// <summary>MIME nesting depth parsed, the reported message included.</summary>
    [Range(3, 64)]
    public int MaxMimeDepth { get; set; } = 8;

    /// <summary>Bytes of the reported message's header fields kept; the rest dropped with a warning.</summary>
    [Range(1024, 1 << 24)]
    public int MaxHeaderBytes { get; set; } = 32 * 1024;

    /// <summary>Characters kept of one field value.</summary>
    [Range(64, 1 << 20)]
    public int MaxFieldChars { get; set; } = 4096;

    /// <summary>Values kept of a repeated field (Original-Rcpt-To, Reported-URI, Authentication-Results).</summary>
    [Range(1, 1000)]
    public int MaxRepeats { get; set; } = 20;

    /// <summary>Warnings kept per report.</summary>
    [Range(1, 10_000)]
    public int MaxWarnings { get; set; } = 50;

    internal SenderAuth.Reports.Failure.FailureReportLimits Limits() => new()
    {
        MaxMessageBytes = MaxMessageBytes, MaxParts = MaxParts, MaxMimeDepth = MaxMimeDepth, MaxHeaderBytes = MaxHeaderBytes,
        MaxFieldChars = MaxFieldChars, MaxRepeats = MaxRepeats, MaxWarnings = MaxWarnings,
    };
}

/// <summary>When the advisor calls the next policy step safe.</summary>
public sealed class AdvisorOptions
{
    /// <summary>Days with report data needed before any tightening.</summary>
    [Range(1, 366)]
    public int MinDays { get; set; } = 30;

    /// <summary>Share of legitimate volume (ours and declared senders) that must pass DMARC aligned.</summary>
    [Range(0d, 1d, MinimumIsExclusive = true)]
    public double MinAlignedShare { get; set; } = 0.995;

    /// <summary>Messages needed in the window before the share means anything.</summary>
    [Range(typeof(long), "0", "9223372036854775807")]
    public long MinMessages { get; set; } = 1000;

    /// <summary>Unknown sources below this share of volume are noise, not a forgotten sender.</summary>
    [Range(0d, 1d)]
    public double UnknownSenderShare { get; set; } = 0.001;

    /// <summary>Go through t=y (RFC 9989 testing) before each enforcing step.</summary>
    public bool UseTestingMode { get; set; }

    internal IEnumerable<string> Problems()
    {
        // MinDays, MinAlignedShare, MinMessages, UnknownSenderShare: [Range] (OptionRangeValidator).
        yield break;
    }
}
