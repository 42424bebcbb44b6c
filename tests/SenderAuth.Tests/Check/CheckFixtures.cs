using SenderAuth.Check;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Check;

/// <summary>
/// The domain-check fixtures: one zone file per institution in tests/servers/knot/zones (served by Knot in run-tests,
/// read here into a zone resolver), the provider zone ticketing.example, and the exact findings expected of each.
/// A finding is written "Area Severity code", with " temporary" when DNS could not answer.
/// </summary>
internal static class CheckFixtures
{
    public const string Profile = "profile.json";
    public const string MailFromProfile = "profile-mailfrom.json";

    private const string SoftfailAll = "Spf Info spf-softfail-all";
    private const string DkimOk = "Dkim Info dkim-ok";
    private const string PolicyNone = "Dmarc Info dmarc-policy-none";
    private const string ByDesign = "Dmarc Info dmarc-spf-not-aligned-by-design";

    /// <summary>Domain, institution code, profile file, expected findings.</summary>
    public static readonly TheoryData<string, string, string, string[]> Cases = new()
    {
        { "good.example", "mosa", Profile, [SoftfailAll, DkimOk, DkimOk, PolicyNone, ByDesign] },
        { "nested.example", "mosa", Profile, [DkimOk, DkimOk, ByDesign] },
        { "twice.example", "mosa", Profile, [SoftfailAll, "Dkim Error dkim-zone-appended-twice", DkimOk, PolicyNone, ByDesign] },
        { "flattxt.example", "mosa", Profile, [SoftfailAll, "Dkim Error dkim-cname-flattened", DkimOk, PolicyNone, ByDesign] },
        { "flata.example", "mosa", Profile, [SoftfailAll, "Dkim Error dkim-cname-flattened", DkimOk, PolicyNone, ByDesign] },
        { "nounderscore.example", "mosa", Profile, [SoftfailAll, "Dkim Error dkim-missing-underscore", DkimOk, PolicyNone, ByDesign] },
        { "seltypo.example", "mosa", Profile, [SoftfailAll, "Dkim Error dkim-selector-typo", DkimOk, PolicyNone, ByDesign] },
        { "wrongtarget.example", "mosa", Profile, [SoftfailAll, "Dkim Error dkim-cname-wrong-target", DkimOk, PolicyNone, ByDesign] },
        { "swapped.example", "mosa", Profile, [SoftfailAll, "Dkim Error dkim-selectors-swapped", "Dkim Error dkim-selectors-swapped", PolicyNone, ByDesign] },
        { "truncated.example", "mosa", Profile, [SoftfailAll, "Dkim Error dkim-key-truncated", DkimOk, PolicyNone, ByDesign] },
        { "twospf.example", "mosa", Profile, ["Spf Error spf-multiple", DkimOk, DkimOk, PolicyNone, ByDesign] },
        { "type99.example", "mosa", Profile, ["Spf Error spf-type99-only", DkimOk, DkimOk, PolicyNone, ByDesign] },
        { "noinclude.example", "mosa", Profile, ["Spf Error spf-include-missing", "Spf Error spf-ip-not-authorized", "Spf Error spf-ip-not-authorized", DkimOk, DkimOk, PolicyNone, ByDesign] },
        { "plusall.example", "mosa", Profile, ["Spf Error spf-plus-all", "Spf Warning spf-ptr", DkimOk, DkimOk, PolicyNone, ByDesign] },
        { "toomany.example", "mosa", Profile, ["Spf Error spf-too-many-lookups", SoftfailAll, "Spf Error spf-ip-not-authorized", "Spf Error spf-ip-not-authorized", DkimOk, DkimOk, PolicyNone, ByDesign] },
        { "nodmarc.example", "mosa", Profile, [SoftfailAll, DkimOk, DkimOk, "Dmarc Error dmarc-missing"] },
        { "dmarcapex.example", "mosa", Profile, [SoftfailAll, DkimOk, DkimOk, "Dmarc Error dmarc-wrong-name"] },
        { "dmarctwice.example", "mosa", Profile, [SoftfailAll, DkimOk, DkimOk, "Dmarc Error dmarc-zone-appended-twice"] },
        { "ruanotours.example", "mosa", Profile, [SoftfailAll, DkimOk, DkimOk, "Dmarc Warning dmarc-rua-missing-ours", ByDesign] },
        { "unauthorised.example", "mosa", Profile, [SoftfailAll, DkimOk, DkimOk, "Dmarc Error dmarc-external-destination-unauthorized", PolicyNone, ByDesign] },
        { "shortkey.example", "short", Profile, [SoftfailAll, "Dkim Warning dkim-key-short", "Dkim Warning dkim-key-short", PolicyNone, ByDesign] },
        { "nokey.example", "ghost", Profile, [SoftfailAll, "Dkim Error dkim-key-not-published", "Dkim Error dkim-key-not-published", PolicyNone, ByDesign] },
        { "bounce.example", "mosa", MailFromProfile, [SoftfailAll, DkimOk, DkimOk, PolicyNone, "MailFrom Error mail-from-mx-missing", "MailFrom Error mail-from-spf-missing"] },
        { "bounceok.example", "mosa", MailFromProfile, [SoftfailAll, DkimOk, DkimOk, PolicyNone] },
    };

    public static string ProfilePath(string file) => Path.Combine(AppContext.BaseDirectory, "TestData", "check", file);

    public static ProviderProfile LoadProfile(string file) => ProviderProfile.Load(ProfilePath(file));

    public static string ZoneFolder => Path.Combine(AppContext.BaseDirectory, "TestData", "knot");

    /// <summary>Every check fixture zone (the *.example files Knot serves) in one zone resolver.</summary>
    public static DnsZone Zones()
    {
        var zone = new DnsZone();
        foreach (var file in Directory.GetFiles(ZoneFolder, "*example.zone").Order(StringComparer.Ordinal))
        {
            ZoneFileParser.ParseInto(zone, File.ReadAllText(file), fileName: file);
        }
        return zone;
    }

    public static string[] Describe(DomainCheckReport report) =>
        [.. report.Findings.Select(f => $"{f.Area} {f.Severity} {f.Code}{(f.Temporary ? " temporary" : string.Empty)}").Order(StringComparer.Ordinal)];

    public static string[] Sorted(string[] expected) => [.. expected.Order(StringComparer.Ordinal)];
}
