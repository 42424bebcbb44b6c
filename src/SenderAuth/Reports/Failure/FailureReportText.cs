using System.Globalization;
using System.Text;

namespace SenderAuth.Reports.Failure;

/// <summary>Small readers of field values shared by the ARF and the plain-text paths.</summary>
internal static class FailureReportText
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = false };

    /// <summary>Folding removed (CRLF and the whitespace after it become one space), trimmed.</summary>
    public static string Unfold(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        var sb = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value)
        {
            if (c is '\r' or '\n' or '\t' or ' ')
            {
                space = sb.Length > 0;
                continue;
            }
            if (space)
            {
                sb.Append(' ');
                space = false;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>A domain as stored: lower case, A-labels, no trailing dot; null (with a warning) when it is not a host name.</summary>
    public static string? Domain(string? value, string field, FailureReportWarnings warnings)
    {
        if (value is null)
        {
            return null;
        }
        var d = value.Trim().TrimEnd('.').ToLowerInvariant();
        if (d.Any(c => c > 127))
        {
            try
            {
                d = Idn.GetAscii(d);
            }
            catch (ArgumentException)
            {
                d = "";
            }
        }
        if (d.Length is 0 or > 253 || !d.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_') || d.Contains("..", StringComparison.Ordinal))
        {
            warnings.Add(FailureReportWarningCodes.InvalidDomain, $"{field} \"{FailureReportParser.Clip(value, 64)}\" is not a domain name");
            return null;
        }
        return d;
    }

    /// <summary>An address field without its angle brackets (<c>&lt;&gt;</c>, the null sender, becomes empty).</summary>
    public static string Address(string value)
    {
        var v = value.Trim();
        if (v.StartsWith('<') && v.IndexOf('>', StringComparison.Ordinal) is > 0 and var end)
        {
            v = v[1..end];
        }
        return v.Trim();
    }
}
