namespace SenderAuth;

/// <summary>How serious a lint or check finding is; shared by every protocol's findings.</summary>
public enum FindingSeverity
{
    /// <summary>Worth knowing; nothing to change (an obsolete tag receivers still read).</summary>
    Info,
    /// <summary>Works today but is fragile or ignored by some receivers; should be fixed.</summary>
    Warning,
    /// <summary>Broken: receivers will not apply the record as intended; must be fixed.</summary>
    Error,
}

/// <summary>The words for <see cref="FindingSeverity"/> in text and JSON written by hand: one mapping, never ToString().</summary>
public static class FindingSeverityTokens
{
    /// <summary>The lower-case word: <c>info</c>, <c>warning</c>, <c>error</c>.</summary>
    public static string Token(this FindingSeverity severity) => severity switch
    {
        FindingSeverity.Info => "info",
        FindingSeverity.Warning => "warning",
        FindingSeverity.Error => "error",
        _ => "unknown",
    };
}
