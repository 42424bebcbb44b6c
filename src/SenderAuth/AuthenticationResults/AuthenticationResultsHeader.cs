namespace SenderAuth.AuthenticationResults;

/// <summary>Writes the Authentication-Results header field (RFC 8601 §2.2), one method result per folded line.</summary>
public static class AuthenticationResultsHeader
{
    /// <summary>The field without its final line break; "none" when there are no results (RFC 8601 §2.2).</summary>
    public static string Format(string authservId, IEnumerable<AuthResultsMethod> methods, string newline = "\r\n")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(authservId);
        var parts = methods.Select(m => m.ToString()).ToList();
        return parts.Count == 0
            ? $"Authentication-Results: {authservId}; none"
            : $"Authentication-Results: {authservId};{newline}\t" + string.Join($";{newline}\t", parts);
    }
}
