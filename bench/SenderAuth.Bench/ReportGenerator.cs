using System.Text;

namespace SenderAuth.Bench;

/// <summary>
/// Writes a synthetic aggregate report of about the requested size: records shaped like a large reporter's
/// (identifiers, one DKIM and one SPF result each), 1,000 distinct source IPs so a summary stays small.
/// </summary>
public static class ReportGenerator
{
    public static long Write(string path, long targetBytes)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var w = new StreamWriter(file, new UTF8Encoding(false), 1 << 20);
        w.Write("""
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
              <version>1.0</version>
              <report_metadata>
                <org_name>bench.example</org_name>
                <email>dmarc@bench.example</email>
                <report_id>bench-1</report_id>
                <date_range><begin>1700006400</begin><end>1700092800</end></date_range>
              </report_metadata>
              <policy_published><domain>example.org</domain><adkim>r</adkim><aspf>r</aspf><p>reject</p><sp>reject</sp></policy_published>

            """);
        long i = 0;
        while (file.Position + w.Encoding.GetMaxByteCount(0) < targetBytes - 1024)
        {
            var pass = i % 5 != 0;
            var result = pass ? "pass" : "fail";
            w.Write($"""
                  <record>
                    <row>
                      <source_ip>{(i % 2 == 0 ? $"198.51.{i % 1000 / 250}.{i % 250 + 1}" : $"2001:db8:{i % 1000:x}::{i % 7 + 1}")}</source_ip>
                      <count>{i % 97 + 1}</count>
                      <policy_evaluated>
                        <disposition>{(pass ? "none" : "reject")}</disposition>
                        <dkim>{result}</dkim>
                        <spf>{(i % 3 == 0 ? "fail" : result)}</spf>
                      </policy_evaluated>
                    </row>
                    <identifiers>
                      <envelope_from>mail{i % 13}.example.org</envelope_from>
                      <header_from>example.org</header_from>
                    </identifiers>
                    <auth_results>
                      <dkim>
                        <domain>example.org</domain>
                        <selector>s{i % 4}</selector>
                        <result>{result}</result>
                      </dkim>
                      <spf>
                        <domain>mail{i % 13}.example.org</domain>
                        <scope>mfrom</scope>
                        <result>{result}</result>
                      </spf>
                    </auth_results>
                  </record>

                """);
            i++;
            if (i % 1024 == 0)
            {
                w.Flush();
            }
        }
        w.Write("</feedback>\n");
        w.Flush();
        return file.Length;
    }
}
