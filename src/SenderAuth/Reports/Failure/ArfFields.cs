using MimeKit;

namespace SenderAuth.Reports.Failure;

/// <summary>
/// The fields of a <c>message/feedback-report</c> part (RFC 5965 §3.1: header-field syntax): one value of a field
/// that may appear once (the first, with a warning when repeated), all values of one that may repeat (bounded).
/// Values are unfolded, trimmed and clipped to <see cref="FailureReportLimits.MaxFieldChars"/>.
/// </summary>
internal sealed class ArfFields(HeaderList fields, FailureReportLimits limits, FailureReportWarnings warnings)
{
    public string? One(string name)
    {
        string? first = null;
        var seen = 0;
        foreach (var h in fields)
        {
            if (!h.Field.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (++seen == 1)
            {
                first = Value(h, name);
            }
        }
        if (seen > 1)
        {
            warnings.Add(FailureReportWarningCodes.RepeatedField, $"{name} appears {seen} times: the first is read");
        }
        return first;
    }

    public IReadOnlyList<string> All(string name)
    {
        var values = new List<string>();
        var seen = 0;
        foreach (var h in fields)
        {
            if (h.Field.Equals(name, StringComparison.OrdinalIgnoreCase) && ++seen <= limits.MaxRepeats && Value(h, name) is { } v)
            {
                values.Add(v);
            }
        }
        if (seen > limits.MaxRepeats)
        {
            warnings.Add(FailureReportWarningCodes.RepeatedField, $"{name} appears {seen} times: the first {limits.MaxRepeats} are kept (limit MaxRepeats)");
        }
        return values;
    }

    private string? Value(Header h, string name)
    {
        var value = FailureReportText.Unfold(h.Value);
        if (value.Length > limits.MaxFieldChars)
        {
            warnings.Add(FailureReportWarningCodes.FieldTruncated, $"{name} is longer than {limits.MaxFieldChars} characters: cut (limit MaxFieldChars)");
            value = value[..limits.MaxFieldChars];
        }
        return value.Length == 0 ? null : value;
    }
}
