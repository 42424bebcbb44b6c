using System.Collections.Concurrent;

namespace SenderAuth.Store.Hosting;

/// <summary>
/// Bounds the <c>institution</c> label: the first <c>max</c> institutions seen get their own code as the value, any
/// later one <c>_other</c>, and a message of no known institution <c>_none</c>. The catch-alls start with an
/// underscore, which no institution code can (NameRules: a lower-case letter first), so an institution named
/// <c>other</c> or <c>none</c> keeps a series of its own. Each label value is a time series
/// kept for the process' life by the exporter and by Prometheus: an unbounded label would grow both with the number
/// of tenants. Codes are the operator's own short names (NameRules), never caller-chosen text. The server makes one
/// from SenderAuth:Metrics:MaxInstitutionLabels; a process without it (the CLI) uses <see cref="DefaultMax"/>.
/// </summary>
public sealed class InstitutionLabels(int max)
{
    /// <summary>The default of SenderAuth:Metrics:MaxInstitutionLabels.</summary>
    public const int DefaultMax = 100;
    public const string Other = "_other";
    public const string None = "_none";
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);

    public string Label(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return None;
        }
        if (_seen.ContainsKey(code))
        {
            return code;
        }
        // Count, then add: two threads may both pass the check, so the bound can be overshot by the number of
        // threads racing on new codes at once, never more.
        return _seen.Count < max && _seen.TryAdd(code, 0) || _seen.ContainsKey(code) ? code : Other;
    }
}
