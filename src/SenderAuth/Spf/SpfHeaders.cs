using System.Text;
using SenderAuth.AuthenticationResults;

namespace SenderAuth.Spf;

/// <summary>Writes an <see cref="SpfOutcome"/> as the headers receivers add.</summary>
public static class SpfHeaders
{
    /// <summary>
    /// The Received-SPF header field (RFC 7208 §9.1), with its comment and the key-value pairs
    /// client-ip, envelope-from, helo, receiver, identity, mechanism and problem. No trailing CRLF.
    /// </summary>
    public static string ReceivedSpf(SpfOutcome outcome, string receiver)
    {
        var sb = new StringBuilder("Received-SPF: ");
        sb.Append(outcome.Result.Token()).Append(" (").Append(receiver).Append(": ").Append(Comment(outcome)).Append(')');
        Pair(sb, "client-ip", outcome.ClientIp.ToString());
        Pair(sb, "envelope-from", outcome.Identity == SpfIdentity.MailFrom ? outcome.Sender : string.Empty);
        if (!string.IsNullOrEmpty(outcome.Helo))
        {
            Pair(sb, "helo", outcome.Helo);
        }
        Pair(sb, "receiver", receiver);
        Pair(sb, "identity", outcome.Identity.Token());
        if (outcome.Mechanism is not null)
        {
            Pair(sb, "mechanism", outcome.Mechanism);
        }
        if (outcome.Result is SpfResult.PermError or SpfResult.TempError)
        {
            Pair(sb, "problem", outcome.Detail);
        }
        return sb.ToString();
    }

    /// <summary>The RFC 8601 method result: <c>spf=pass smtp.mailfrom=example.com</c> (or smtp.helo).</summary>
    public static AuthResultsMethod AuthResults(SpfOutcome outcome) => new("spf", outcome.Result.Token())
    {
        Comment = Comment(outcome),
        Properties = outcome.Identity == SpfIdentity.MailFrom
            ? [("smtp", "mailfrom", outcome.Sender)]
            : [("smtp", "helo", outcome.Helo ?? outcome.Domain)],
    };

    /// <summary>The conventional sentence per result (RFC 7208 §9.1 examples).</summary>
    public static string Comment(SpfOutcome outcome)
    {
        var who = outcome.Identity == SpfIdentity.MailFrom ? $"domain of {outcome.Sender}" : $"domain of {outcome.Helo}";
        var ip = outcome.ClientIp;
        return outcome.Result switch
        {
            SpfResult.Pass => $"{who} designates {ip} as permitted sender",
            SpfResult.Fail => $"{who} does not designate {ip} as permitted sender",
            SpfResult.SoftFail => $"{who} does not designate {ip} as permitted sender (transitioning)",
            SpfResult.Neutral => $"{ip} is neither permitted nor denied by {who}",
            SpfResult.None => $"{who} does not designate permitted sender hosts",
            _ => outcome.Detail,
        };
    }

    private static void Pair(StringBuilder sb, string key, string value)
    {
        // key=value pairs are dot-atoms or quoted-strings (RFC 7208 §9.1 key-value-pair).
        var atom = value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".Contains(c, StringComparison.Ordinal))
            && !value.StartsWith('.') && !value.EndsWith('.') && !value.Contains("..", StringComparison.Ordinal);
        sb.Append(' ').Append(key).Append('=');
        if (atom)
        {
            sb.Append(value);
        }
        else
        {
            sb.Append('"').Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }
        sb.Append(';');
    }
}
