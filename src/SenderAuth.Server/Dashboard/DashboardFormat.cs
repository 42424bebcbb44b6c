using System.Globalization;
using SenderAuth.Check;
using SenderAuth.Json;

namespace SenderAuth.Server.Dashboard;

/// <summary>How the pages write states and times: one mapping for each token, never Enum.ToString().</summary>
public static class DashboardFormat
{
    // States are written with the JSON contract's tokens (the API's "state" values), so a token has one definition.
    public static string Token(DomainState state) => SenderAuthJson.Token(state);

    public static string Token(RotationStep step) => SenderAuthJson.Token(step);

    /// <summary>The advice's record (<c>dmarc</c>, <c>spf</c>): the element ids of the advice's records use it.</summary>
    public static string Token(SenderAuth.Store.Reports.Analysis.AdviceArea area) => SenderAuthJson.Token(area);

    /// <summary>
    /// A key's state as the page shows it: the contract's token, except that an active key reads "signing", the word
    /// the page uses for it everywhere (and its CSS class, <c>key-signing</c>); the API still writes <c>active</c>.
    /// </summary>
    public static string Token(DkimKeyState state) => state == DkimKeyState.Active ? "signing" : SenderAuthJson.Token(state);

    public static string Token(FindingSeverity severity) => severity.Token();

    /// <summary>A record's verdict as its CSS class (<c>status-wrong</c>, <c>rec-could-not-check</c>); null: not checked yet.</summary>
    public static string RecordClass(AreaVerdict? verdict) => verdict switch
    {
        AreaVerdict.Ok => "ok",
        AreaVerdict.Warning => "warning",
        AreaVerdict.Error => "wrong",
        AreaVerdict.Unknown => "could-not-check",
        _ => "not-checked-yet",
    };

    public static string Area(CheckArea area) => area switch
    {
        CheckArea.Spf => "SPF",
        CheckArea.Dkim => "DKIM",
        CheckArea.Dmarc => "DMARC",
        CheckArea.MailFrom => "MAIL FROM",
        CheckArea.Dnssec => "DNSSEC",
        _ => "other",
    };

    /// <summary>What a state means for the people reading the overview.</summary>
    public static string Meaning(DomainState state) => state switch
    {
        DomainState.Pending => "waiting for the records to appear in DNS",
        DomainState.Verified => "every record is right",
        DomainState.Degraded => "was right, now a check fails: fix it before the grace period ends",
        DomainState.Failed => "not right for too long: signing is suspended if it was on",
        _ => "",
    };

    public static string When(DateTime? at) =>
        at is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "—";

    /// <summary>For the datetime attribute of &lt;time&gt;.</summary>
    public static string Iso(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>"in 3 h", "5 min ago": next to the absolute time, so nobody has to subtract.</summary>
    public static string Relative(DateTime? at, DateTime now)
    {
        if (at is not { } t)
        {
            return "";
        }
        var d = t - now;
        var abs = d.Duration();
        var text = abs.TotalMinutes < 1 ? "less than a minute"
            : abs.TotalHours < 1 ? $"{(int)abs.TotalMinutes} min"
            : abs.TotalDays < 2 ? $"{(int)abs.TotalHours} h"
            : $"{(int)abs.TotalDays} days";
        return d >= TimeSpan.Zero ? $"in {text}" : $"{text} ago";
    }
}
