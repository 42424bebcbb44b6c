using System.IO.Compression;
using System.Text;

namespace SenderAuth.Tests.Reports;

internal static class ReportFiles
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", "reports", name);

    public const string Google = "google.com!example.org!1700006400!1700092799.zip";
    public const string Outlook = "enterprise.protection.outlook.com!example.org!1700006400!1700092800.xml.gz";
    public const string Yahoo = "yahoo.com!example.org!1700006400!1700092799.xml.gz";
    public const string MailRu = "mail.ru!example.org!1700006400!1700092800.xml";
    public const string Rfc9990 = "receiver.example!example.org!1700006400!1700092800.xml";
    public const string Eml = "google-report.eml";

    public static byte[] Zip(params (string Name, byte[] Data)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                s.Write(data);
            }
        }
        return buffer.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }
        return buffer.ToArray();
    }

    private static readonly byte[] BombHead = "<?xml version=\"1.0\"?>\n<feedback>"u8.ToArray();

    /// <summary>
    /// A well-formed start, then <paramref name="bytes"/> of spaces, gzipped as it is produced in 1 MiB chunks
    /// (2 GB compresses to about 2 MB). Spaces rather than zeros: a NUL would be refused as bad XML before any limit,
    /// and a bomb that survives the XML reader is the one the limits are for.
    /// </summary>
    public static byte[] GzipBomb(long bytes)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(BombHead);
            var chunk = new byte[1 << 20];
            Array.Fill(chunk, (byte)' ');
            for (long left = bytes; left > 0; left -= chunk.Length)
            {
                gz.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
            }
        }
        return buffer.ToArray();
    }

    public static byte[] BombXml(int bytes)
    {
        var data = new byte[bytes];
        Array.Fill(data, (byte)' ');
        BombHead.CopyTo(data, 0);
        return data;
    }

    public static byte[] Xml(int records, int seed = 0)
    {
        var sb = new StringBuilder("""
            <?xml version="1.0"?>
            <feedback><report_metadata><org_name>gen.example</org_name><email>r@gen.example</email><report_id>gen-1</report_id>
            <date_range><begin>1700006400</begin><end>1700092800</end></date_range></report_metadata>
            <policy_published><domain>example.org</domain><p>reject</p></policy_published>
            """);
        for (var i = 0; i < records; i++)
        {
            sb.Append($"<record><row><source_ip>192.0.2.{(i + seed) % 250 + 1}</source_ip><count>2</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.org</header_from></identifiers><auth_results><spf><domain>example.org</domain><result>fail</result></spf></auth_results></record>\n");
        }
        sb.Append("</feedback>\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
