using System.IO.Compression;
using System.Text;

namespace SenderAuth.Bench.Harness.Seeding;

/// <summary>
/// A corpus of DMARC aggregate reports for row_report_import: REPORTS daily reports (.xml.gz, named as reporters
/// name them: org!domain!begin!end.xml.gz) from five reporters in turn, each with RECORDS records: source IPs
/// spread over 10.0.0.0/10, counts 1-500, a mix of aligned, forwarded (DKIM pass, SPF fail) and failing rows.
/// Deterministic (seeded), so runs compare.
/// </summary>
public static class ReportCorpus
{
    private static readonly string[] Orgs = ["google.com", "outlook.com", "yahoo.com", "mail.ru", "comcast.net"];

    public static void Write(string folder, string domain, int reports, int records)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(7489);
        const long start = 1767225600;  // 2026-01-01T00:00:00Z
        for (var i = 0; i < reports; i++)
        {
            var org = Orgs[i % Orgs.Length];
            var begin = start + i / Orgs.Length * 86400L;
            var end = begin + 86399;
            var xml = new StringBuilder();
            xml.Append($"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback><report_metadata><org_name>{org}</org_name>")
               .Append($"<email>noreply-dmarc@{org}</email><report_id>bench-{i}-{org}</report_id>")
               .Append($"<date_range><begin>{begin}</begin><end>{end}</end></date_range></report_metadata>")
               .Append($"<policy_published><domain>{domain}</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>\n");
            for (var r = 0; r < records; r++)
            {
                var ip = $"10.{rng.Next(64)}.{rng.Next(256)}.{rng.Next(1, 255)}";
                var kind = rng.NextDouble();
                var (dkim, spf) = kind < 0.8 ? ("pass", "pass") : kind < 0.9 ? ("pass", "fail") : ("fail", "fail");
                var disposition = dkim == "pass" || spf == "pass" ? "none" : "quarantine";
                xml.Append($"<record><row><source_ip>{ip}</source_ip><count>{rng.Next(1, 501)}</count><policy_evaluated>")
                   .Append($"<disposition>{disposition}</disposition><dkim>{dkim}</dkim><spf>{spf}</spf></policy_evaluated></row>")
                   .Append($"<identifiers><header_from>{domain}</header_from><envelope_from>{domain}</envelope_from></identifiers>")
                   .Append($"<auth_results><dkim><domain>{domain}</domain><selector>stxsel1</selector><result>{dkim}</result></dkim>")
                   .Append($"<spf><domain>{domain}</domain><scope>mfrom</scope><result>{spf}</result></spf></auth_results></record>\n");
            }
            xml.Append("</feedback>\n");
            using var file = File.Create(Path.Combine(folder, $"{org}!{domain}!{begin}!{end}.xml.gz"));
            using var gz = new GZipStream(file, CompressionLevel.Optimal);
            gz.Write(Encoding.UTF8.GetBytes(xml.ToString()));
        }
    }
}
