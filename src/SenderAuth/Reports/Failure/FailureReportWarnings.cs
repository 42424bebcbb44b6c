namespace SenderAuth.Reports.Failure;

/// <summary>Collects a report's warnings up to the limit; the last kept one says how many more there were.</summary>
internal sealed class FailureReportWarnings(int max)
{
    private readonly List<FailureReportWarning> _list = [];
    private int _dropped;

    public IReadOnlyList<FailureReportWarning> List => _dropped == 0
        ? _list
        : [.. _list, new FailureReportWarning("warnings-truncated", $"{_dropped} more warning(s) not kept (limit MaxWarnings)")];

    public void Add(string code, string message)
    {
        if (_list.Count < max)
        {
            _list.Add(new FailureReportWarning(code, message));
        }
        else
        {
            _dropped++;
        }
    }
}
