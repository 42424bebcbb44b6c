namespace SenderAuth;

/// <summary>How serious a lint or check finding is; shared by every protocol's findings.</summary>
public enum FindingSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>The words for <see cref="FindingSeverity"/> in text and JSON written by hand: one mapping, never ToString().</summary>
public static class FindingSeverityTokens
{
    public static string Token(this FindingSeverity severity) => severity switch
    {
        FindingSeverity.Info => "info",
        FindingSeverity.Warning => "warning",
        FindingSeverity.Error => "error",
        _ => "unknown",
    };
}
