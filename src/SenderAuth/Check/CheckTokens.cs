namespace SenderAuth.Check;

/// <summary>
/// The words for the check's areas and verdicts, in JSON (registered in <see cref="Json.SenderAuthJson"/>) and in the
/// CLI's text: one mapping, never ToString(). They are the kebab-case names the contract gives every such enum.
/// </summary>
public static class CheckTokens
{
    /// <summary><c>spf</c>, <c>dkim</c>, <c>dmarc</c>, <c>mail-from</c>, <c>dnssec</c>.</summary>
    public static string Token(this CheckArea area) => area switch
    {
        CheckArea.Spf => "spf",
        CheckArea.Dkim => "dkim",
        CheckArea.Dmarc => "dmarc",
        CheckArea.MailFrom => "mail-from",
        CheckArea.Dnssec => "dnssec",
        _ => throw new ArgumentOutOfRangeException(nameof(area), area, "not a check area"),
    };

    /// <summary><c>ok</c>, <c>warning</c>, <c>error</c>, <c>unknown</c> (could not check).</summary>
    public static string Token(this AreaVerdict verdict) => verdict switch
    {
        AreaVerdict.Ok => "ok",
        AreaVerdict.Warning => "warning",
        AreaVerdict.Error => "error",
        AreaVerdict.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "not a verdict"),
    };
}
