using SenderAuth.Dmarc;

namespace SenderAuth.Fuzz;

/// <summary>DMARC records (RFC 9989 §4.7).</summary>
internal static class DmarcTargets
{
    /// <summary><see cref="DmarcRecord.Parse"/> (through its parse cache, as the evaluator calls it): null when the
    /// text is not a DMARC record, issues as data; no exception. The linter's reading of the same record runs too.</summary>
    public static FuzzTarget Record { get; } = new("dmarc-record", input =>
    {
        var text = FuzzTargets.Text(input);
        _ = DmarcRecord.IsDmarcRecord(text);
        _ = DmarcRecord.Parse(text);
    }, [], FuzzBudget.Text);
}
