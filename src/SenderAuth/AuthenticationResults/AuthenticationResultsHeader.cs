using System.Text;

namespace SenderAuth.AuthenticationResults;

/// <summary>Writes the Authentication-Results header field (RFC 8601 §2.2), one method result per folded line.</summary>
public static class AuthenticationResultsHeader
{
    /// <summary>The field without its final line break; "none" when there are no results (RFC 8601 §2.2).</summary>
    public static string Format(string authservId, IEnumerable<AuthResultsMethod> methods, string newline = "\r\n")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(authservId);
        // One builder for the whole field (this runs once per received message).
        var sb = new StringBuilder(512).Append("Authentication-Results: ").Append(authservId).Append(';');
        var any = false;
        foreach (var m in methods)
        {
            sb.Append(any ? ";" : string.Empty).Append(newline).Append('\t');
            m.AppendTo(sb);
            any = true;
        }
        return any ? sb.ToString() : $"Authentication-Results: {authservId}; none";
    }
}
