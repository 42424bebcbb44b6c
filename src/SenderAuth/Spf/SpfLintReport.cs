namespace SenderAuth.Spf;

/// <summary>A term of the policy tree: an include or redirect carries the terms of its target.</summary>
/// <param name="Domain">The domain whose record holds the term.</param>
/// <param name="Text">The term as written.</param>
/// <param name="Position">Its 1-based column in that record.</param>
/// <param name="DnsLookups">DNS-querying terms it costs, its target's included.</param>
/// <param name="VoidLookups">Lookups under it that answered NXDOMAIN or NODATA.</param>
public sealed record SpfLintTerm(string Domain, string Text, int Position, int DnsLookups, int VoidLookups)
{
    /// <summary>The record of the include/redirect target, expanded; empty for other terms.</summary>
    public IReadOnlyList<SpfLintTerm> Children { get; init; } = [];
}

/// <summary>What <see cref="SpfLinter"/> found about one record or domain; a finding's subject is the domain whose record it concerns.</summary>
/// <param name="Domain">The domain linted; null when there was none to name.</param>
/// <param name="Record">The record text; null when none was found.</param>
/// <param name="Terms">The record's terms, includes and redirects expanded.</param>
/// <param name="Findings">Every problem and remark (<see cref="Finding.Subject"/>: the domain whose record it concerns).</param>
public sealed record SpfLintReport(string? Domain, string? Record, IReadOnlyList<SpfLintTerm> Terms, IReadOnlyList<Finding> Findings)
{
    /// <summary>DNS-querying terms after expanding every include and redirect (limit 10, RFC 7208 §4.6.4).</summary>
    public int TotalDnsLookups => Terms.Sum(t => t.DnsLookups);

    /// <summary>Lookups of literal names that answered NXDOMAIN or NODATA (limit 2).</summary>
    public int VoidLookups => Terms.Sum(t => t.VoidLookups);

    /// <summary>True when a finding is an error: receivers will get permerror or the wrong result.</summary>
    public bool HasErrors => Findings.Any(f => f.Severity == FindingSeverity.Error);

    /// <summary>True when DNS could not answer a query the lint needed: the report is incomplete.</summary>
    public bool DnsIncomplete => Findings.Any(f => f.Code == SpfLintCodes.DnsFailure);
}
