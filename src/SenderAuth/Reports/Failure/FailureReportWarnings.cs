namespace SenderAuth.Reports.Failure;

/// <summary>Collects a report's warnings up to the limit; the last kept one says how many more there were.</summary>
internal sealed class FailureReportWarnings(int max)
{
    /// <summary>The position of a warning about the report as a whole (failure report warnings name their field in the message).</summary>
    public const string Report = "report";

    private readonly List<DmarcReportWarning> _list = [];
    private int _dropped;

    public IReadOnlyList<DmarcReportWarning> List => _dropped == 0
        ? _list
        : [.. _list, new DmarcReportWarning(FailureReportWarningCodes.WarningsTruncated, $"{_dropped} more warning(s) not kept (limit MaxWarnings)", Report)];

    public void Add(string code, string message, string position = Report)
    {
        if (_list.Count < max)
        {
            _list.Add(new DmarcReportWarning(code, message, position));
        }
        else
        {
            _dropped++;
        }
    }
}
