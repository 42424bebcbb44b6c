using System.Text;

namespace SenderAuth.Bench.Harness.Seeding;

/// <summary>
/// The zone of row_monitor: sender domains sNNNNN.example spread over institutions iNNN, each with the records the
/// server asks its institution to publish (the layout of bench/zones/mosamuseum.com.zone).
/// </summary>
/// <remarks>
/// One zone, example., holds every domain as a child name: one file for Knot to load instead of 10,000 zones, and
/// each sNNNNN.example is still its own organizational domain (example is not a public suffix, so the PSL's default
/// rule makes the TLD the suffix). It replaces the fixtures' example.zone in the tests' Knot (only NXDOMAIN names and
/// the check fixtures' parent there; the fixtures are their own zones). Domain n belongs to institution
/// n / (domains / institutions); key targets are per institution code, so the provider zone holds 2 keys per
/// institution, not per domain.
/// </remarks>
public static class MonitorZone
{
    /// <summary>Writes FOLDER/example.zone; returns the onboarding list (institution code, domain) in order.</summary>
    public static async Task<IReadOnlyList<(string Code, string Domain)>> WriteAsync(string folder, int domains, int institutions, CancellationToken ct)
    {
        if (domains % institutions != 0)
        {
            throw new ArgumentException("domains must be a multiple of institutions");
        }
        var per = domains / institutions;
        var list = new List<(string, string)>(domains);
        var z = new StringBuilder("$ORIGIN example.\n$TTL 300\n");
        // The Knot launcher waits for SOA answers naming hostmaster.
        z.Append("@ IN SOA ns.example. hostmaster.example. 2026112501 3600 600 86400 60\n@ IN NS ns.example.\nns IN A 127.0.0.1\n");
        for (var n = 0; n < domains; n++)
        {
            string code = $"i{n / per:000}", name = $"s{n:00000}";
            list.Add((code, $"{name}.example"));
            z.Append($"{name} IN TXT \"v=spf1 include:spf.ticketing.example ~all\"\n");
            z.Append($"stxsel1._domainkey.{name} IN CNAME sel1-{code}._domainkey.dkim.ticketing.example.\n");
            z.Append($"stxsel2._domainkey.{name} IN CNAME sel2-{code}._domainkey.dkim.ticketing.example.\n");
            z.Append($"_dmarc.{name} IN TXT \"v=DMARC1; p=none; rua=mailto:{code}@rua.ticketing.example\"\n");
        }
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "example.zone"), z.ToString(), ct).ConfigureAwait(false);
        return list;
    }
}
