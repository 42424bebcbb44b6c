namespace SenderAuth.Fuzz;

/// <summary>Every fuzz target by name: one per parser and protocol reader of the engine (docs/security.md, "Fuzzing").</summary>
internal static class FuzzTargets
{
    public static IReadOnlyDictionary<string, FuzzTarget> All { get; } = new[]
    {
        SpfTargets.Record,
        SpfTargets.Macro,
        DmarcTargets.Record,
        DkimTargets.Signature,
        DkimTargets.KeyRecord,
        DkimVerifyTargets.Verify,
        MailTargets.Header,
        ZoneTargets.ZoneFile,
        ZoneTargets.DnsName,
        ZoneTargets.TrustAnchors,
        ReportTargets.Report,
        FailureReportTargets.FailureReport,
        MilterTargets.Packets,
        DnsWireTargets.Message,
        AuthResultsTargets.AuthServId,
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>Bytes as the readers see text: UTF-8, where invalid sequences become U+FFFD as they do in the product.</summary>
    public static string Text(byte[] input) => System.Text.Encoding.UTF8.GetString(input);
}
