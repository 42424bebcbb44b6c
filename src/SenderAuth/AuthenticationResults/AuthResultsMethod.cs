using System.Text;

namespace SenderAuth.AuthenticationResults;

/// <summary>
/// One method result of an Authentication-Results header (RFC 8601 §2.2 <c>resinfo</c>):
/// <c>method=result (comment) ptype.property=value …</c>. Protocol folders build these; the header writer
/// joins them.
/// </summary>
public sealed record AuthResultsMethod(string Method, string Result)
{
    public string? Comment { get; init; }

    /// <summary>Properties in order, e.g. ("smtp", "mailfrom", "example.com").</summary>
    public IReadOnlyList<(string Type, string Property, string Value)> Properties { get; init; } = [];

    public override string ToString()
    {
        var sb = new StringBuilder(Method).Append('=').Append(Result);
        if (!string.IsNullOrEmpty(Comment))
        {
            sb.Append(" (").Append(EscapeComment(Comment)).Append(')');
        }
        foreach (var (type, property, value) in Properties)
        {
            sb.Append(' ').Append(type).Append('.').Append(property).Append('=').Append(Value(value));
        }
        return sb.ToString();
    }

    /// <summary>
    /// A pvalue (RFC 8601 §2.2): a token, a domain, or an address passes as is; anything else is quoted.
    /// </summary>
    internal static string Value(string value)
    {
        var plain = value.Length > 0 && value.All(c => c > ' ' && c < 127 && "()<>,;:\\\"[]".IndexOf(c) < 0);
        return plain ? value : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    private static string EscapeComment(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("(", "\\(", StringComparison.Ordinal).Replace(")", "\\)", StringComparison.Ordinal)
            .Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
