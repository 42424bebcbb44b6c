namespace SenderAuth.Server.Reports.Analysis;

/// <summary>
/// One thing the reports show, with a stable code: <c>own-mail-failing</c> (error: our signing or their DNS broke),
/// <c>retired-selector</c>, <c>reported-more-than-sent</c>, <c>new-sender</c> (legitimate-looking, not set up),
/// <c>declared-sender-unaligned</c>, <c>forwarding</c>, <c>spoofing</c>.
/// </summary>
public sealed record ReportFinding(string Code, string Severity, string Title, string Observed, string Advice, long Messages, IReadOnlyList<string> Sources);
