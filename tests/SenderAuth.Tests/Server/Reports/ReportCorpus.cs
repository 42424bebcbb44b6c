using System.IO.Compression;
using System.Text;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>
/// A year of daily reports from five reporters for three domains of one institution, with everything the
/// analysis must recognise, and the exact figures it put in (kept while generating, so the test never derives
/// them from the code under test):
/// <list type="bullet">
/// <item>our two sending IPs (203.0.113.10, .11), signing with stxsel1 until <see cref="SwitchDay"/>, stxsel2 after;</item>
/// <item>on <see cref="StaleSelectorDays"/> one reporter still sees stxsel1 for domain A (a stale signing path);</item>
/// <item>from <see cref="ForgottenFrom"/> a newsletter tool (198.51.100.20, d=mailtool.example) on domain A;</item>
/// <item>a forwarder (192.0.2.50) keeping the aligned DKIM pass and failing SPF, on domain A;</item>
/// <item>a spoofer (198.18.0.66) failing everything, seen by two reporters, on domain A;</item>
/// <item>on <see cref="BrokenDays"/> our own mail for domain B fails DKIM (a broken delegation);</item>
/// <item>domain C: only our mail, all passing.</item>
/// </list>
/// </summary>
public sealed class ReportCorpus
{
    public static readonly string[] Reporters = ["google.com", "outlook.com", "yahoo.com", "mail.ru", "comcast.net"];
    public static readonly DateTime First = new(2025, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    public const int Days = 365;
    public const int SwitchDay = 250;
    public static readonly int[] StaleSelectorDays = [260, 261, 262];
    public const int ForgottenFrom = 330;
    public static readonly int[] BrokenDays = [200, 201, 202];
    public const string Forgotten = "198.51.100.20", Forwarder = "192.0.2.50", Spoofer = "198.18.0.66";
    public static readonly string[] Ours = ["203.0.113.10", "203.0.113.11"];

    public ReportCorpus(string domainA, string domainB, string domainC)
    {
        DomainA = domainA;
        DomainB = domainB;
        DomainC = domainC;
    }

    public string DomainA { get; }
    public string DomainB { get; }
    public string DomainC { get; }
    public IEnumerable<string> Domains => [DomainA, DomainB, DomainC];

    /// <summary>What was put in, per domain and day: messages, DMARC pass.</summary>
    public Dictionary<(string Domain, DateTime Day), (long Messages, long Pass)> Expected { get; } = [];

    /// <summary>Per domain and source IP, over the year.</summary>
    public Dictionary<(string Domain, string Ip), long> BySource { get; } = [];

    /// <summary>Per domain and day, messages from our IPs summed over reporters, per reporter too.</summary>
    public Dictionary<(string Domain, string Reporter, DateTime Day), long> OursByReporter { get; } = [];

    public static DateTime Day(int i) => First.AddDays(i);

    public IEnumerable<ReportRow> Rows(string domain, int reporter, int day)
    {
        var selector = day < SwitchDay || (domain == DomainA && reporter == 1 && StaleSelectorDays.Contains(day)) ? "stxsel1" : "stxsel2";
        var broken = domain == DomainB && BrokenDays.Contains(day);
        for (var i = 0; i < Ours.Length; i++)
        {
            // Volumes vary by weekday, reporter and IP, so a wrong grouping gives a wrong sum.
            long count = 100 + (day % 7 * 10) + (reporter * 3) + i;
            yield return new ReportRow(Ours[i], count, DkimAligned: !broken, SpfAligned: false, DkimDomain: domain, Selector: selector, DkimPass: !broken,
                SpfDomain: "bounce.ticketing.example", SpfPass: true);
        }
        if (domain != DomainA)
        {
            yield break;
        }
        if (day >= ForgottenFrom)
        {
            yield return new ReportRow(Forgotten, 5, false, false, "mailtool.example", "mt1", true, "mailtool.example", true);
        }
        yield return new ReportRow(Forwarder, 2, true, false, domain, selector, true, "lists.example", false, Reason: reporter % 2 == 0 ? "forwarded" : null);
        if (reporter is 0 or 2)
        {
            yield return new ReportRow(Spoofer, 3, false, false, SpfDomain: domain, Disposition: "none");
        }
    }

    /// <summary>Writes the corpus as zip files of up to 14 daily reports (one reporter, one domain) into <paramref name="folder"/>.</summary>
    public IReadOnlyList<string> Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        foreach (var domain in Domains)
        {
            for (var r = 0; r < Reporters.Length; r++)
            {
                for (var start = 0; start < Days; start += 14)
                {
                    var path = Path.Combine(folder, $"{Reporters[r]}!{domain}!{start}.zip");
                    using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
                    {
                        for (var d = start; d < Math.Min(Days, start + 14); d++)
                        {
                            var rows = Rows(domain, r, d).ToList();
                            Account(domain, Reporters[r], d, rows);
                            var xml = ReportXml.Build(Reporters[r], $"{Reporters[r]}-{domain}-{d}", domain, Day(d), rows);
                            using var w = new StreamWriter(zip.CreateEntry($"{Reporters[r]}!{domain}!{d}.xml").Open(), new UTF8Encoding(false));
                            w.Write(xml);
                        }
                    }
                    files.Add(path);
                }
            }
        }
        return files;
    }

    private void Account(string domain, string reporter, int day, List<ReportRow> rows)
    {
        var key = (domain, Day(day));
        var (m, p) = Expected.GetValueOrDefault(key);
        Expected[key] = (m + rows.Sum(r => r.Count), p + rows.Where(r => r.DkimAligned || r.SpfAligned).Sum(r => r.Count));
        foreach (var row in rows)
        {
            BySource[(domain, row.Ip)] = BySource.GetValueOrDefault((domain, row.Ip)) + row.Count;
            if (Ours.Contains(row.Ip))
            {
                OursByReporter[(domain, reporter, Day(day))] = OursByReporter.GetValueOrDefault((domain, reporter, Day(day))) + row.Count;
            }
        }
    }
}
