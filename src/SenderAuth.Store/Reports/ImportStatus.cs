namespace SenderAuth.Store.Reports;

/// <summary>What happened to one report file; in JSON, logs, metrics and folder names (through SenderAuthJson.Token, the one mapping) as <c>imported</c>, <c>quarantined</c>, <c>rejected</c>.</summary>
public enum FileImportStatus
{
    /// <summary>Read whole: its new reports stored, duplicates and foreign ones listed.</summary>
    Imported,

    /// <summary>Unreadable or hostile: nothing stored, the file kept with the reason.</summary>
    Quarantined,

    /// <summary>An institution uploaded a report about a domain that is not theirs: nothing stored.</summary>
    Rejected,
}

/// <summary>What happened to one report of a file; in JSON and logs (SenderAuthJson.Token) as <c>imported</c>, <c>duplicate</c>, <c>foreign</c>, <c>misrouted</c>.</summary>
public enum ReportImportStatus
{
    /// <summary>New: stored.</summary>
    Imported,

    /// <summary>Already stored (same reporter and report id).</summary>
    Duplicate,

    /// <summary>About a domain no institution has: kept apart for the operator.</summary>
    Foreign,

    /// <summary>Mailed to one institution's report address about another institution's domain: kept apart with a warning.</summary>
    Misrouted,
}

/// <summary>Which kind of DMARC report a file held; in JSON as <c>aggregate</c> or <c>failure</c>.</summary>
public enum ReportKind
{
    /// <summary>An aggregate report (RFC 9990): many messages, counted per source.</summary>
    Aggregate,

    /// <summary>A failure report (RFC 9991): one message; its Records and Messages are 1.</summary>
    Failure,
}
