using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>One row of a generated report: what a receiver saw from one IP.</summary>
public sealed record ReportRow(string Ip, long Count, bool DkimAligned, bool SpfAligned, string? DkimDomain = null, string? Selector = null,
    bool DkimPass = false, string? SpfDomain = null, bool SpfPass = false, string? Reason = null, string Disposition = "none");

/// <summary>Writes aggregate reports the way reporters do (RFC 7489 Appendix C shape, no namespace).</summary>
public static class ReportXml
{
    public static string Build(string org, string reportId, string domain, DateTime day, IEnumerable<ReportRow> rows, string policy = "none")
    {
        var begin = new DateTimeOffset(day.Date, TimeSpan.Zero).ToUnixTimeSeconds();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback>
              <report_metadata><org_name>{org}</org_name><email>noreply@{org}</email><report_id>{reportId}</report_id>
                <date_range><begin>{begin}</begin><end>{begin + 86399}</end></date_range></report_metadata>
              <policy_published><domain>{domain}</domain><adkim>r</adkim><aspf>r</aspf><p>{policy}</p><sp>{policy}</sp><pct>100</pct></policy_published>

            """);
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"""
                  <record><row><source_ip>{r.Ip}</source_ip><count>{r.Count}</count><policy_evaluated><disposition>{r.Disposition}</disposition>
                    <dkim>{(r.DkimAligned ? "pass" : "fail")}</dkim><spf>{(r.SpfAligned ? "pass" : "fail")}</spf>{(r.Reason is null ? "" : $"<reason><type>{r.Reason}</type></reason>")}</policy_evaluated></row>
                    <identifiers><header_from>{domain}</header_from></identifiers>
                    <auth_results>{(r.DkimDomain is null ? "" : $"<dkim><domain>{r.DkimDomain}</domain><selector>{r.Selector}</selector><result>{(r.DkimPass ? "pass" : "fail")}</result></dkim>")}
                      <spf><domain>{r.SpfDomain ?? domain}</domain><scope>mfrom</scope><result>{(r.SpfPass ? "pass" : "fail")}</result></spf></auth_results></record>

                """);
        }
        sb.Append("</feedback>\n");
        return sb.ToString();
    }

    public static byte[] Gzip(string xml)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest))
        {
            gz.Write(Encoding.UTF8.GetBytes(xml));
        }
        return output.ToArray();
    }
}
