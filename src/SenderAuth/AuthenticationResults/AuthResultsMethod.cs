using System.Buffers;
using System.Text;

namespace SenderAuth.AuthenticationResults;

/// <summary>
/// One method result of an Authentication-Results header (RFC 8601 §2.2 <c>resinfo</c>):
/// <c>method=result (comment) ptype.property=value …</c>. Protocol folders build these; the header writer
/// joins them.
/// </summary>
/// <param name="Method">The method name: <c>spf</c>, <c>dkim</c>, <c>dmarc</c>…</param>
/// <param name="Result">The result token, written through the protocol's token mapping (<c>pass</c>, <c>fail</c>…).</param>
public sealed record AuthResultsMethod(string Method, string Result)
{
    /// <summary>A comment written after the result in parentheses, e.g. the SPF detail; null for none. Not for machines:
    /// RFC 8601 §2.2 says readers must ignore comments.</summary>
    public string? Comment { get; init; }

    /// <summary>Properties in order, e.g. ("smtp", "mailfrom", "example.com").</summary>
    public IReadOnlyList<(string Type, string Property, string Value)> Properties { get; init; } = [];

    /// <summary>The resinfo text, e.g. <c>spf=pass smtp.mailfrom=example.com</c>, quoted and escaped as RFC 8601 requires.</summary>
    public override string ToString() => AppendTo(new StringBuilder()).ToString();

    /// <summary>Writes this method result to <paramref name="sb"/> (the header writer joins several in one builder).</summary>
    internal StringBuilder AppendTo(StringBuilder sb)
    {
        sb.Append(Method).Append('=').Append(Result);
        if (!string.IsNullOrEmpty(Comment))
        {
            sb.Append(" (");
            AppendEscapedComment(sb, Comment);
            sb.Append(')');
        }
        foreach (var (type, property, value) in Properties)
        {
            sb.Append(' ').Append(type).Append('.').Append(property).Append('=');
            AppendValue(sb, value);
        }
        return sb;
    }

    // What a pvalue may hold and still pass unquoted (RFC 8601 §2.2): printable ASCII except the tspecials.
    private static readonly SearchValues<char> Plain = SearchValues.Create(
        Enumerable.Range(33, 127 - 33).Select(c => (char)c).Where(c => "()<>,;:\\\"[]".IndexOf(c) < 0).ToArray());

    private static readonly SearchValues<char> CommentSpecials = SearchValues.Create("\\()\r\n");

    /// <summary>
    /// A pvalue (RFC 8601 §2.2): a token, a domain, or an address passes as is; anything else is quoted.
    /// </summary>
    internal static string Value(string value) => AppendValue(new StringBuilder(), value).ToString();

    private static StringBuilder AppendValue(StringBuilder sb, string value)
    {
        if (value.Length > 0 && !value.AsSpan().ContainsAnyExcept(Plain))
        {
            return sb.Append(value);
        }
        sb.Append('"');
        foreach (var c in value)
        {
            if (c is '\\' or '"')
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
        return sb.Append('"');
    }

    private static void AppendEscapedComment(StringBuilder sb, string text)
    {
        if (!text.AsSpan().ContainsAny(CommentSpecials))
        {
            sb.Append(text);
            return;
        }
        foreach (var c in text)
        {
            _ = c switch
            {
                '\\' => sb.Append("\\\\"),
                '(' => sb.Append("\\("),
                ')' => sb.Append("\\)"),
                '\r' or '\n' => sb.Append(' '),
                _ => sb.Append(c),
            };
        }
    }
}
