using SenderAuth.Reports;

namespace SenderAuth.Store.Reports;

/// <summary>SenderAuth:Reports — where reports come from, the parser's limits, and the advisor's thresholds.</summary>
public sealed class ReportOptions
{
    /// <summary>Largest upload accepted over HTTP (the file as sent, compressed or not).</summary>
    public long MaxUploadBytes { get; set; } = 50L << 20;

    /// <summary>Largest decompressed size of one file (gzip, zip entries, attachments together).</summary>
    public long MaxDecompressedBytes { get; set; } = 1L << 30;

    /// <summary>Largest decompressed/compressed ratio before a file counts as a bomb.</summary>
    public int MaxCompressionRatio { get; set; } = 100;

    /// <summary>
    /// Poll the IMAP mailboxes and the watched directory in the background (default true). Off: only on demand
    /// (the server's <c>ImapReportPoller.PollOnceAsync</c>, <c>DirectoryReportWatcher.ScanOnceAsync</c>), as the tests do.
    /// </summary>
    public bool BackgroundIngestion { get; set; } = true;

    /// <summary>A folder polled for report files (batch imports); null: off.</summary>
    public string? WatchDirectory { get; set; }

    public double WatchIntervalSeconds { get; set; } = 10;

    /// <summary>IMAP mailboxes polled for reports sent to the rua address.</summary>
    public List<ImapMailboxOptions> Imap { get; set; } = [];

    public AdvisorOptions Advisor { get; set; } = new();

    /// <summary>
    /// Count untrusted reports (uploads, mail that did not pass DMARC for its reporter) in summaries, sources,
    /// findings and advice by default (default false; a request can still ask with <c>?untrusted=include</c>).
    /// Alerts never count them.
    /// </summary>
    public bool IncludeUntrusted { get; set; }

    /// <summary>Report uploads one institution may make per hour (default 60; files in one request count one each); more is 429.</summary>
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
    public double ReconciliationTolerance { get; set; } = 0.05;

    internal DmarcReportLimits ParserLimits() => new()
    {
        MaxDecompressedBytes = MaxDecompressedBytes,
        MaxCompressionRatio = MaxCompressionRatio,
    };

    internal IEnumerable<string> Problems()
    {
        if (MaxUploadBytes < 1024)
        {
            yield return "SenderAuth:Reports:MaxUploadBytes must be at least 1024";
        }
        if (MaxDecompressedBytes < MaxUploadBytes)
        {
            yield return "SenderAuth:Reports:MaxDecompressedBytes must be at least MaxUploadBytes";
        }
        if (MaxCompressionRatio < 2)
        {
            yield return "SenderAuth:Reports:MaxCompressionRatio must be at least 2";
        }
        if (WatchIntervalSeconds is < 0.1 or > 86400)
        {
            yield return "SenderAuth:Reports:WatchIntervalSeconds must be between 0.1 and 86400";
        }
        if (UploadsPerHour is < 1 or > 100_000)
        {
            yield return "SenderAuth:Reports:UploadsPerHour must be between 1 and 100000";
        }
        if (QuarantineBytesPerInstitution < MaxUploadBytes)
        {
            yield return "SenderAuth:Reports:QuarantineBytesPerInstitution must be at least MaxUploadBytes (one quarantined file must fit)";
        }
        if (ReconciliationTolerance is < 0 or > 10)
        {
            yield return "SenderAuth:Reports:ReconciliationTolerance must be between 0 and 10";
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

/// <summary>One mailbox: where reports arrive, where processed and failed mail goes.</summary>
public sealed class ImapMailboxOptions
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 993;
    /// <summary>tls (implicit, port 993), starttls, or none (loopback tests only).</summary>
    public string Security { get; set; } = "tls";
    public string User { get; set; } = "";
    /// <summary>From configuration or the environment (SenderAuth__Reports__Imap__0__Password), never the repository.</summary>
    public string? Password { get; set; }
    public string Folder { get; set; } = "INBOX";
    public string ArchiveFolder { get; set; } = "Archive";
    public string ErrorFolder { get; set; } = "Errors";
    public double PollSeconds { get; set; } = 300;
    /// <summary>Messages larger than this are not fetched: they go to the error folder.</summary>
    public long MaxMessageBytes { get; set; } = 50L << 20;
    public int MaxMessagesPerPoll { get; set; } = 500;

    public string Name => $"{User}@{Host}:{Port}/{Folder}";

    internal IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Host)) { yield return "Host is required"; }
        if (string.IsNullOrWhiteSpace(User)) { yield return "User is required"; }
        if (string.IsNullOrEmpty(Password)) { yield return "Password is required (set it in the environment)"; }
        if (Port is < 1 or > 65535) { yield return "Port must be 1-65535"; }
        if (Security is not ("tls" or "starttls" or "none")) { yield return "Security must be tls, starttls or none"; }
        if (PollSeconds is < 1 or > 86400) { yield return "PollSeconds must be between 1 and 86400"; }
        if (MaxMessagesPerPoll < 1) { yield return "MaxMessagesPerPoll must be at least 1"; }
        if (string.Equals(Folder, ArchiveFolder, StringComparison.OrdinalIgnoreCase) || string.Equals(Folder, ErrorFolder, StringComparison.OrdinalIgnoreCase))
        {
            yield return "ArchiveFolder and ErrorFolder must differ from Folder";
        }
    }
}

/// <summary>When the advisor calls the next policy step safe.</summary>
public sealed class AdvisorOptions
{
    /// <summary>Days with report data needed before any tightening.</summary>
    public int MinDays { get; set; } = 30;

    /// <summary>Share of legitimate volume (ours and declared senders) that must pass DMARC aligned.</summary>
    public double MinAlignedShare { get; set; } = 0.995;

    /// <summary>Messages needed in the window before the share means anything.</summary>
    public long MinMessages { get; set; } = 1000;

    /// <summary>Unknown sources below this share of volume are noise, not a forgotten sender.</summary>
    public double UnknownSenderShare { get; set; } = 0.001;

    /// <summary>Go through t=y (RFC 9989 testing) before each enforcing step.</summary>
    public bool UseTestingMode { get; set; }

    internal IEnumerable<string> Problems()
    {
        if (MinDays is < 1 or > 366) { yield return "MinDays must be between 1 and 366"; }
        if (MinAlignedShare is <= 0 or > 1) { yield return "MinAlignedShare must be in (0, 1]"; }
        if (MinMessages < 0) { yield return "MinMessages must not be negative"; }
        if (UnknownSenderShare is < 0 or > 1) { yield return "UnknownSenderShare must be in [0, 1]"; }
    }
}
